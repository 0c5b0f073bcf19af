import neuroflow as tf
tf.enable_eager_execution()

x = tf.constant([1.0, 1.0])
target = tf.constant(20.0)
W = tf.Variable([0.2, 0.7])
optimizer = tf.train.GradientDescentOptimizer(0.1)

for step in range(10):
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(x * W)
        loss = tf.pow(target - y, 2)
    grads = tape.gradient(loss, [W])
    optimizer.apply_gradients(zip(grads, [W]))
    print("Result:", y.numpy())
