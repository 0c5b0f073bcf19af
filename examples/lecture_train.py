import neuroflow as tf

x = tf.placeholder(tf.float32, [2])
target = tf.placeholder(tf.float32)
W = tf.Variable([0.2, 0.7])
y = tf.reduce_sum(x * W)
loss = tf.pow(target - y, 2)
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(10):
        result, _ = sess.run([y, train_op], feed_dict={x: [1, 1], target: 20})
        print("Result:", result)
