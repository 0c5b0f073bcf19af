"""The Playground's network as a neuroflow graph: built once per architecture, then trained and evaluated through
the same Session, so every step reuses the plans the Session compiled on its first run.

Learning rate, L1/L2 rates and the dropout rate are placeholders: changing them never rebuilds anything.
"""
import numpy as np

import neuroflow as tf

__all__ = ["Network", "ACTIVATIONS", "output_mode"]

ACTIVATIONS = {"relu": tf.nn.relu, "tanh": tf.tanh, "sigmoid": tf.sigmoid, "linear": lambda h: h}
_OPTIMIZERS = {
    "sgd": lambda lr: tf.train.GradientDescentOptimizer(lr),
    "momentum": lambda lr: tf.train.MomentumOptimizer(lr, 0.9),
    "adam": lambda lr: tf.train.AdamOptimizer(lr),
    "rmsprop": lambda lr: tf.train.RMSPropOptimizer(lr),
}


def output_mode(problem, num_classes):
    """'regression', 'binary' (one output unit) or 'multiclass' (one softmax unit per class)."""
    if problem == "regression":
        return "regression"
    return "binary" if num_classes <= 2 else "multiclass"


class Network:
    """A fully connected network on the chosen input features, in its own Graph and Session.

    Args:
        num_inputs: how many input features.
        hidden: the hidden layer sizes (may be empty).
        activation: "relu", "tanh", "sigmoid" or "linear" (hidden layers).
        problem: "classification" or "regression".
        num_classes: K (classification).
        loss: "square" or "crossentropy".
        optimizer: "sgd", "momentum", "adam" or "rmsprop".
        use_dropout: whether the training path has dropout after each hidden layer (its rate is fed).
        seed: the graph-level seed (dropout masks).

    Example:
        >>> net = Network(2, [4, 2], "tanh", "classification", 2, "square", "sgd")
        >>> net.reset(np.random.default_rng(0))
        >>> net.train_step(x, targets, learning_rate=0.03)
    """

    def __init__(self, num_inputs, hidden, activation, problem, num_classes, loss, optimizer, use_dropout=False,
                 seed=0):
        self.num_inputs = int(num_inputs)
        self.hidden = [int(n) for n in hidden]
        self.activation = activation
        self.mode = output_mode(problem, num_classes)
        self.num_outputs = num_classes if self.mode == "multiclass" else 1
        self.loss_kind = "square" if problem == "regression" else loss
        self.graph = tf.Graph()
        with self.graph.as_default():
            tf.set_random_seed(seed)
            self._build(optimizer, use_dropout)
            self.session = tf.Session(graph=self.graph)
        self.session.run(self._init_all)

    # --- graph -------------------------------------------------------------------------------------------------
    def _build(self, optimizer, use_dropout):
        sizes = [self.num_inputs] + self.hidden + [self.num_outputs]
        self.x = tf.placeholder(tf.float32, [None, self.num_inputs], name="x")
        self.y = tf.placeholder(tf.float32, [None, self.num_outputs], name="y")
        self.lr = tf.placeholder(tf.float32, [], name="learning_rate")
        self.l1 = tf.placeholder_with_default(0.0, [], name="l1_rate")
        self.l2 = tf.placeholder_with_default(0.0, [], name="l2_rate")
        self.drop = tf.placeholder_with_default(0.0, [], name="dropout_rate")
        self.weights, self.biases = [], []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            with tf.variable_scope(f"layer{i + 1}" if i < len(self.hidden) else "output"):
                self.weights.append(tf.Variable(np.zeros((n_in, n_out), np.float32), name="kernel"))
                self.biases.append(tf.Variable(np.zeros(n_out, np.float32), name="bias"))
        # one placeholder per variable: reset() feeds fresh values through a single grouped assign
        self._fresh = [tf.placeholder(v.dtype.base_dtype, v.shape) for v in self.weights + self.biases]
        self._assign = tf.group(*[tf.assign(v, p) for v, p in zip(self.weights + self.biases, self._fresh)])

        self.activations, logits = self._forward(self.x, dropout=False)
        self.output = self._display(logits)                 # what the heat maps show, in [-1, 1]
        self.prediction = self._prediction(logits)
        self.loss = self._data_loss(logits)
        _, train_logits = self._forward(self.x, dropout=use_dropout)
        penalty = (self.l1 * tf.add_n([tf.reduce_sum(tf.abs(w)) for w in self.weights])
                   + self.l2 * tf.add_n([tf.nn.l2_loss(w) for w in self.weights]))
        self.train_op = _OPTIMIZERS[optimizer](self.lr).minimize(self._data_loss(train_logits) + penalty)
        self._init_all = tf.global_variables_initializer()

    def _forward(self, h, dropout):
        act = ACTIVATIONS[self.activation]
        outs = []
        for w, b in zip(self.weights[:-1], self.biases[:-1]):
            h = act(tf.matmul(h, w) + b)
            outs.append(h)
            if dropout:
                h = tf.nn.dropout(h, rate=self.drop)
        return outs, tf.matmul(h, self.weights[-1]) + self.biases[-1]

    def _prediction(self, logits):
        if self.mode == "multiclass":
            return tf.nn.softmax(logits)
        if self.mode == "binary":
            return tf.sigmoid(logits) if self.loss_kind == "crossentropy" else tf.tanh(logits)
        return logits

    def _display(self, logits):
        if self.mode == "multiclass":
            return 2.0 * tf.nn.softmax(logits) - 1.0
        if self.mode == "binary" and self.loss_kind == "crossentropy":
            return 2.0 * tf.sigmoid(logits) - 1.0
        return self._prediction(logits)

    def _data_loss(self, logits):
        """Mean over points; square loss is 0.5 * squared error summed over outputs, as in the original."""
        if self.loss_kind == "crossentropy":
            if self.mode == "multiclass":
                return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=self.y, logits=logits))
            return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=self.y, logits=logits))
        return tf.reduce_mean(0.5 * tf.reduce_sum(tf.square(self._prediction(logits) - self.y), axis=1))

    # --- data --------------------------------------------------------------------------------------------------
    def targets(self, labels):
        """The training targets [n, outputs] for labels (class indices, or regression values)."""
        labels = np.asarray(labels)
        if self.mode == "regression":
            return labels.astype(np.float32).reshape(-1, 1)
        if self.mode == "multiclass":
            return np.eye(self.num_outputs, dtype=np.float32)[labels.astype(np.int64)]
        positive = labels.astype(np.float32).reshape(-1, 1)
        return positive if self.loss_kind == "crossentropy" else 2.0 * positive - 1.0

    # --- running -----------------------------------------------------------------------------------------------
    def reset(self, rng):
        """Fresh weights (uniform in [-0.5, 0.5], biases 0.1, as in the original) and fresh optimizer state."""
        values = [rng.uniform(-0.5, 0.5, w.shape.as_list()).astype(np.float32) for w in self.weights]
        values += [np.full(b.shape.as_list(), 0.1, np.float32) for b in self.biases]
        self.session.run(self._init_all)
        self.session.run(self._assign, dict(zip(self._fresh, values)))

    def set_parameters(self, weights, biases):
        """Loads weights and biases (lists of arrays in layer order)."""
        self.session.run(self._assign, dict(zip(self._fresh, [np.asarray(v, np.float32) for v in
                                                              list(weights) + list(biases)])))

    def train_step(self, x, targets, learning_rate, l1=0.0, l2=0.0, dropout=0.0):
        """One optimizer step on a batch. The feed has the same keys every time, so the plan is reused."""
        self.session.run(self.train_op, {self.x: x, self.y: targets, self.lr: learning_rate, self.l1: l1,
                                         self.l2: l2, self.drop: dropout})

    def evaluate_loss(self, x, targets):
        if len(x) == 0:
            return float("nan")
        return float(self.session.run(self.loss, {self.x: x, self.y: targets}))

    def layer_outputs(self, x):
        """Each hidden layer's activations and the display output (all [n, units]) for inputs x."""
        return self.session.run(self.activations + [self.output], {self.x: x})

    def predict(self, x):
        """The network's answer: tanh output or sigmoid probability (binary), class probabilities (multiclass)
        or the value (regression)."""
        out = self.session.run(self.prediction, {self.x: x})
        return out if self.mode == "multiclass" else out[:, 0]

    def parameters(self):
        """(weights, biases): lists of NumPy arrays in layer order (the output layer last)."""
        return self.session.run([self.weights, self.biases])

    def close(self):
        self.session.close()
