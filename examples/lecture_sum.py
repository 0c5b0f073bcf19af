import neuroflow as tf

a = tf.placeholder("float")
b = tf.placeholder("float")
y = a + b

with tf.Session() as sess:
    print("Result:", sess.run(y, feed_dict={a: 4, b: 5}))
