"""tf.keras models' structure: Sequential, functional and subclassed models — building, layers, weights, updates,
losses, calling on new tensors, summary() tables, configs/JSON, the Keras session and learning phase, and that a
tf.train optimizer step on a model's output lowers a loss (independently of compile/fit)."""
import json

import numpy as np
import pytest

import neuroflow as tf
from keras_layer_testing import layer_test

K = tf.keras
L = tf.keras.layers


def run(fetches, feeds=None):
    return K.backend.get_session().run(fetches, feeds)


def summary_lines(model, **kwargs):
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return lines


# --- Sequential -------------------------------------------------------------------------------------------------------
def test_sequential_with_input_shape_is_built_at_once(rng):
    model = K.Sequential([L.Dense(16, activation="relu", input_shape=(8,)), L.Dense(4, activation="softmax")])
    assert model.name == "sequential" and model.built
    assert [layer.name for layer in model.layers] == ["dense", "dense_1"]
    assert len(model.inputs) == 1 and model.inputs[0].name == "dense_input:0"
    assert model.inputs[0].shape.as_list() == [None, 8] and model.outputs[0].shape.as_list() == [None, 4]
    assert [w.name for w in model.weights] == ["dense/kernel:0", "dense/bias:0", "dense_1/kernel:0", "dense_1/bias:0"]
    assert model.trainable_weights == model.weights and model.non_trainable_weights == []
    assert model.count_params() == 8 * 16 + 16 + 16 * 4 + 4
    xv = rng.standard_normal((3, 8)).astype(np.float32)
    out = run(model.outputs[0], {model.inputs[0]: xv})
    w1, b1, w2, b2 = model.get_weights()
    logits = np.maximum(xv @ w1 + b1, 0) @ w2 + b2
    e = np.exp(logits - logits.max(1, keepdims=True))
    np.testing.assert_allclose(out, e / e.sum(1, keepdims=True), rtol=1e-5, atol=1e-6)


def test_sequential_deferred_build_add_pop_and_errors():
    model = K.Sequential()
    model.add(L.Dense(5))
    model.add(L.Dense(2))
    assert not model.built and model.inputs is None and model.weights == []
    with pytest.raises(ValueError, match="This model has not yet been built"):
        model.summary()
    model.build((None, 3))
    assert model.built and model.outputs[0].shape.as_list() == [None, 2] and len(model.weights) == 4
    model.pop()
    assert [layer.name for layer in model.layers] == ["dense"] and model.outputs[0].shape.as_list() == [None, 5]
    model.add(L.Dense(7))
    assert model.outputs[0].shape.as_list() == [None, 7]
    with pytest.raises(TypeError, match="The added layer must be an instance of class Layer"):
        model.add("dense")
    with pytest.raises(TypeError, match="There are no layers in the model"):
        K.Sequential().pop()
    first = K.Sequential([L.InputLayer(input_shape=(4,)), L.Dense(3)])
    assert first.built and [layer.name for layer in first.layers] == ["dense_3"]


def test_sequential_called_on_a_tensor(rng):
    model = K.Sequential([L.Dense(3, activation="tanh"), L.Dense(1)])
    x = tf.placeholder(tf.float32, [None, 2])
    y = model(x)
    assert model.built and y.shape.as_list() == [None, 1] and y.op.name.startswith("sequential/")
    assert [w.name for w in model.weights] == ["dense/kernel:0", "dense/bias:0", "dense_1/kernel:0",
                                               "dense_1/bias:0"]
    y2 = model(x)   # shares the weights
    xv = rng.standard_normal((4, 2)).astype(np.float32)
    a, b = run([y, y2], {x: xv})
    np.testing.assert_allclose(a, b, rtol=1e-6)
    assert len(tf.trainable_variables()) == 4


# --- functional models -----------------------------------------------------------------------------------------------
def two_branch_model():
    a = K.Input(shape=(6,), name="a")
    b = K.Input(shape=(4,), name="b")
    ha = L.Dense(5, activation="relu", name="ha")(a)
    hb = L.Dense(5, name="hb")(b)
    merged = L.Concatenate(name="merge")([ha, hb])
    out = L.Dense(2, name="out")(merged)
    return K.Model(inputs=[a, b], outputs=out, name="two")


def test_functional_model_structure_and_value(rng):
    model = two_branch_model()
    assert [layer.name for layer in model.layers] == ["a", "b", "ha", "hb", "merge", "out"]
    assert isinstance(model.layers[0], L.InputLayer) and model.input_names == ["a", "b"]
    assert model.output_names == ["out"] and model.get_layer("merge") is model.layers[4]
    assert model.get_layer(index=2).name == "ha" and model.count_params() == 35 + 25 + 22
    assert [w.name for w in model.trainable_weights] == ["ha/kernel:0", "ha/bias:0", "hb/kernel:0", "hb/bias:0",
                                                         "out/kernel:0", "out/bias:0"]
    av, bv = rng.standard_normal((3, 6)).astype(np.float32), rng.standard_normal((3, 4)).astype(np.float32)
    wa, ba, wb, bb, wo, bo = model.get_weights()
    expected = np.concatenate([np.maximum(av @ wa + ba, 0), bv @ wb + bb], 1) @ wo + bo
    np.testing.assert_allclose(run(model.outputs[0], dict(zip(model.inputs, [av, bv]))), expected, rtol=1e-5,
                               atol=1e-6)
    with pytest.raises(ValueError, match="No such layer: nope"):
        model.get_layer("nope")
    with pytest.raises(ValueError, match="Was asked to retrieve layer at index 9 but model only has 6 layers"):
        model.get_layer(index=9)
    with pytest.raises(ValueError, match="Provide only a layer name or a layer index"):
        model.get_layer("a", 0)


def test_functional_model_called_on_new_tensors_and_nested(rng):
    model = two_branch_model()
    a2, b2 = tf.placeholder(tf.float32, [None, 6]), tf.placeholder(tf.float32, [None, 4])
    y2 = model([a2, b2])
    assert y2.shape.as_list() == [None, 2] and len(tf.trainable_variables()) == 6
    av, bv = rng.standard_normal((2, 6)).astype(np.float32), rng.standard_normal((2, 4)).astype(np.float32)
    np.testing.assert_allclose(run(y2, {a2: av, b2: bv}), run(model.outputs[0], {model.inputs[0]: av,
                                                                                 model.inputs[1]: bv}), rtol=1e-6)
    # A model used as a layer of another functional model.
    x1, x2 = K.Input(shape=(6,)), K.Input(shape=(4,))
    outer = K.Model([x1, x2], L.Dense(1, name="head")(model([x1, x2])))
    assert [layer.name for layer in outer.layers][-2:] == ["two", "head"]
    assert len(outer.weights) == 8 and outer.count_params() == model.count_params() + 3


def test_functional_errors():
    x = K.Input(shape=(3,))
    y = L.Dense(2)(x)
    other = K.Input(shape=(3,))
    with pytest.raises(ValueError, match="Graph disconnected"):
        K.Model(other, y)
    with pytest.raises(ValueError, match="Input tensors to a Model must come from `tf.keras.Input`"):
        K.Model(tf.placeholder(tf.float32, [None, 3]), y)
    with pytest.raises(ValueError, match="Output tensors to a Model must be the output of a TensorFlow `Layer`"):
        K.Model(x, y * 2)
    with pytest.raises(ValueError, match="Please provide to Input either a `shape` or a `tensor` argument"):
        K.Input()


def test_shared_layer_and_layer_history():
    x1, x2 = K.Input(shape=(3,)), K.Input(shape=(3,))
    shared = L.Dense(4, name="shared")
    y1, y2 = shared(x1), shared(x2)
    model = K.Model([x1, x2], L.Add()([y1, y2]))
    assert len(shared.inbound_nodes) == 2 and shared.get_output_at(1) is y2 and shared.output_shape == (None, 4)
    with pytest.raises(AttributeError, match="multiple inbound nodes"):
        shared.output
    assert len(model.weights) == 2 and x1 is model.inputs[0]
    assert K.backend.is_keras_tensor(y1) and not K.backend.is_keras_tensor(tf.constant(1.0))


# --- subclassed models ------------------------------------------------------------------------------------------------
class TwoLayer(K.Model):
    def __init__(self):
        super().__init__()
        self.hidden = L.Dense(6, activation="relu")
        self.drop = L.Dropout(0.5)
        self.out = L.Dense(2)

    def call(self, inputs, training=None):
        return self.out(self.drop(self.hidden(inputs), training=training))


def test_subclassed_model_tracks_layers(rng):
    model = TwoLayer()
    assert model.name == "two_layer" and not model.built and model.weights == []
    x = tf.placeholder(tf.float32, [None, 3])
    y = model(x)
    assert model.built and model.inputs == [x] and model.outputs == [y]
    assert [layer.name for layer in model.layers] == ["dense", "dropout", "dense_1"]
    assert [w.name for w in model.weights] == ["two_layer/dense/kernel:0", "two_layer/dense/bias:0",
                                               "two_layer/dense_1/kernel:0", "two_layer/dense_1/bias:0"]
    xv = rng.standard_normal((2, 3)).astype(np.float32)
    w1, b1, w2, b2 = model.get_weights()
    np.testing.assert_allclose(run(y, {x: xv}), np.maximum(xv @ w1 + b1, 0) @ w2 + b2, rtol=1e-5, atol=1e-6)
    lines = summary_lines(model)
    assert lines[4].startswith("dense (Dense)                multiple                  24")
    built = TwoLayer()
    built.build((None, 5))
    assert built.count_params() == 5 * 6 + 6 + 14


def test_subclassed_model_must_call_super_init():
    class Broken(K.Model):
        def __init__(self):
            self.d = L.Dense(2)

    with pytest.raises(RuntimeError, match="forgot to call `super"):
        Broken()


# --- summary ----------------------------------------------------------------------------------------------------------
SEQUENTIAL_SUMMARY = """\
Model: "sequential"
_________________________________________________________________
Layer (type)                 Output Shape              Param #   
=================================================================
conv2d (Conv2D)              (None, 26, 26, 8)         80        
_________________________________________________________________
max_pooling2d (MaxPooling2D) (None, 13, 13, 8)         0         
_________________________________________________________________
batch_normalization (BatchNo (None, 13, 13, 8)         32        
_________________________________________________________________
flatten (Flatten)            (None, 1352)              0         
_________________________________________________________________
dense (Dense)                (None, 10)                13530     
=================================================================
Total params: 13,642
Trainable params: 13,626
Non-trainable params: 16
_________________________________________________________________"""

FUNCTIONAL_SUMMARY = """\
Model: "two"
__________________________________________________________________________________________________
Layer (type)                    Output Shape         Param #     Connected to                     
==================================================================================================
a (InputLayer)                  (None, 6)            0                                            
__________________________________________________________________________________________________
b (InputLayer)                  (None, 4)            0                                            
__________________________________________________________________________________________________
ha (Dense)                      (None, 5)            35          a[0][0]                          
__________________________________________________________________________________________________
hb (Dense)                      (None, 5)            25          b[0][0]                          
__________________________________________________________________________________________________
merge (Concatenate)             (None, 10)           0           ha[0][0]                         
                                                                 hb[0][0]                         
__________________________________________________________________________________________________
out (Dense)                     (None, 2)            22          merge[0][0]                      
==================================================================================================
Total params: 82
Trainable params: 82
Non-trainable params: 0
__________________________________________________________________________________________________"""


def test_summary_tables(capsys):
    model = K.Sequential([L.Conv2D(8, 3, input_shape=(28, 28, 1)), L.MaxPooling2D(), L.BatchNormalization(),
                          L.Flatten(), L.Dense(10)])
    assert "\n".join(summary_lines(model)) == SEQUENTIAL_SUMMARY
    model.summary()
    assert capsys.readouterr().out == SEQUENTIAL_SUMMARY + "\n"
    assert "\n".join(summary_lines(two_branch_model())) == FUNCTIONAL_SUMMARY
    narrow = summary_lines(model, line_length=40, positions=[20, 32, 40])
    assert narrow[1] == "_" * 40 and narrow[2] == "Layer (type)        Output Shap Param # "  # Keras's clipping


def test_functional_chain_is_shown_like_a_sequential():
    x = K.Input(shape=(3,))
    model = K.Model(x, L.Dense(2)(L.Dense(4)(x)))
    lines = summary_lines(model)
    assert lines[2].rstrip() == "Layer (type)                 Output Shape              Param #"
    assert lines[4].startswith("input_1 (InputLayer)         (None, 3)                 0")


# --- updates, losses, training flag -----------------------------------------------------------------------------------
def test_model_updates_and_losses(rng):
    x = K.Input(shape=(4,))
    h = L.Dense(3, kernel_regularizer=K.regularizers.l2(0.01))(x)
    y = L.BatchNormalization()(h)
    model = K.Model(x, y)
    assert len(model.updates) == 2 and len(model.losses) == 1
    model(tf.placeholder(tf.float32, [None, 4]), training=True)   # another call: its updates are not the model's
    assert len(model.updates) == 2 and len(model.layers[2].updates) == 4
    frozen = K.Model(x, y)
    frozen.trainable = False
    assert frozen.updates == [] and frozen.trainable_weights == [] and len(frozen.non_trainable_weights) == 6
    seq = K.Sequential([L.Dense(3, input_shape=(2,)), L.BatchNormalization(), L.Dense(1)])
    xv = rng.standard_normal((16, 2)).astype(np.float32)
    sess = K.backend.get_session()
    before = seq.layers[1].get_weights()[2]
    sess.run(seq.updates, {seq.inputs[0]: xv, K.backend.learning_phase(): True})
    assert not np.allclose(seq.layers[1].get_weights()[2], before)


def test_learning_phase_controls_dropout():
    model = K.Sequential([L.Dropout(0.5, input_shape=(200,))])
    ones = np.ones((2, 200), np.float32)
    np.testing.assert_array_equal(run(model.outputs[0], {model.inputs[0]: ones}), ones)
    dropped = run(model.outputs[0], {model.inputs[0]: ones, K.backend.learning_phase(): True})
    assert (dropped == 0).any() and set(np.unique(dropped)) <= {0.0, 2.0}
    with K.backend.learning_phase_scope(1):
        assert K.backend.learning_phase() == 1


def test_keras_session_initializes_lazily_and_uses_default_session(rng):
    model = K.Sequential([L.Dense(2, input_shape=(3,))])
    first = model.get_weights()
    later = L.Dense(2)
    later(model.outputs[0])
    assert len(later.get_weights()) == 2    # variables made after the session exists get initialized too
    with tf.Session() as sess:
        values = [rng.standard_normal(w.shape) for w in first]
        model.set_weights(values)            # writes into the default session
        np.testing.assert_allclose(sess.run(model.weights[0]), values[0], rtol=1e-6)
    assert not np.allclose(model.get_weights()[0], values[0])   # the Keras session kept its own values


# --- configs and JSON -------------------------------------------------------------------------------------------------
def test_to_json_round_trip(rng):
    model = K.Sequential([L.Conv2D(4, 3, activation="relu", input_shape=(8, 8, 1), kernel_regularizer="l2"),
                          L.MaxPooling2D(), L.Flatten(), L.Dropout(0.2), L.Dense(3, activation="softmax")])
    config = json.loads(model.to_json())
    assert config["class_name"] == "Sequential" and config["config"]["layers"][0]["config"]["filters"] == 4
    copy = K.models.model_from_json(model.to_json())
    assert [type(a) for a in copy.layers] == [type(b) for b in model.layers]
    assert copy.count_params() == model.count_params() and copy.layers[-1].activation is K.activations.softmax
    copy.set_weights(model.get_weights())
    xv = rng.standard_normal((2, 8, 8, 1)).astype(np.float32)
    np.testing.assert_allclose(run(copy.outputs[0], {copy.inputs[0]: xv}),
                               run(model.outputs[0], {model.inputs[0]: xv}), rtol=1e-5)
    functional = two_branch_model()
    clone = K.models.model_from_json(functional.to_json())
    assert [layer.name for layer in clone.layers] == [layer.name for layer in functional.layers]
    assert clone.count_params() == functional.count_params() and len(clone.inputs) == 2
    lstm = K.Sequential([L.Embedding(20, 4, input_length=6), L.Bidirectional(L.LSTM(3)), L.Dense(1)])
    assert K.models.clone_model(lstm).count_params() == lstm.count_params()
    with pytest.raises(NotImplementedError, match="Subclassed models"):
        TwoLayer().get_config()


# --- one optimizer step on a model lowers the loss -------------------------------------------------------------------
def gradient_steps_lower_the_loss(model, xv, yv, steps=3, lr=0.1):
    target = tf.placeholder(tf.float32, model.outputs[0].shape)
    loss = tf.reduce_mean(tf.square(model.outputs[0] - target)) + tf.add_n(model.losses or [tf.constant(0.0)])
    with tf.control_dependencies(model.updates):
        step = tf.train.GradientDescentOptimizer(lr).minimize(loss, var_list=model.trainable_weights)
    sess = K.backend.get_session()
    feeds = {model.inputs[0]: xv, target: yv, K.backend.learning_phase(): True}
    before = sess.run(loss, feeds)
    for _ in range(steps):
        sess.run(step, feeds)
    return sess.run(loss, feeds) < before


def test_gradient_step_lowers_loss_mlp_cnn_rnn(rng):
    mlp = K.Sequential([L.Dense(16, activation="relu", input_shape=(4,)), L.Dropout(0.1), L.Dense(1)])
    xv = rng.standard_normal((32, 4)).astype(np.float32)
    assert gradient_steps_lower_the_loss(mlp, xv, xv.sum(1, keepdims=True), lr=0.01)
    cnn = K.Sequential([L.Conv2D(4, 3, activation="relu", input_shape=(6, 6, 1)), L.BatchNormalization(),
                        L.GlobalAveragePooling2D(), L.Dense(1)])
    images = rng.standard_normal((8, 6, 6, 1)).astype(np.float32)
    assert gradient_steps_lower_the_loss(cnn, images, images.mean((1, 2)), lr=0.05)
    for rnn in (L.LSTM(5), L.GRU(5), L.SimpleRNN(5), L.Bidirectional(L.LSTM(3, recurrent_activation="sigmoid"))):
        model = K.Sequential([L.Embedding(10, 4, input_length=6), rnn, L.Dense(1)])
        ids = rng.integers(0, 10, (8, 6))
        assert gradient_steps_lower_the_loss(model, ids, (ids[:, :1] > 4).astype(np.float32), lr=0.1)


@pytest.mark.parametrize("layers, input_shape, trainable, non_trainable, output_shape", [
    ([L.Dense(4, activation="tanh"), L.Dense(2)], (None, 5), 4, 0, [None, 2]),
    ([L.Conv1D(2, 2), L.BatchNormalization(), L.GlobalMaxPooling1D()], (None, 5, 3), 4, 2, [None, 2]),
], ids=["mlp", "conv_bn_pool"])
def test_sequential_passes_the_layer_checks(layers, input_shape, trainable, non_trainable, output_shape):
    # A model is a layer: shape, weights, config round trip, use in a functional model, one training step.
    layers = [type(layer).from_config(layer.get_config()) for layer in layers]   # fresh layers per run
    layer_test(K.Sequential, dict(layers=layers), input_shape, expected_trainable=trainable,
               expected_non_trainable=non_trainable, expected_output_shape=output_shape)


def test_utils_and_clear_session():
    np.testing.assert_array_equal(K.utils.to_categorical([0, 2, 1], 3), np.eye(3)[[0, 2, 1]])
    assert K.utils.to_categorical(np.array([[1], [0]])).shape == (2, 2)
    with pytest.raises(IndexError, match="labels must be in"):
        K.utils.to_categorical([3], 2)
    np.testing.assert_allclose(K.utils.normalize(np.array([[3.0, 4.0]])), [[0.6, 0.8]])
    L.Dense(2)
    graph = tf.get_default_graph()
    K.backend.clear_session()
    assert tf.get_default_graph() is not graph and L.Dense(2).name == "dense"
