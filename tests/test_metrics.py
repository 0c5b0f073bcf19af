"""tf.metrics: streaming behaviour over several update calls against NumPy (accuracy, mean, precision, recall,
confusion counts, errors, AUC against an independent thresholded ROC/PR computation), the local variables'
names and collections, resetting with tf.local_variables_initializer(), and the metric collections."""
import numpy as np
import pytest

import neuroflow as tf

RNG = np.random.default_rng(3)


def batches(n, size, weighted=False):
    """n batches of (labels 0/1, scores in [0, 1], weights)."""
    out = []
    for _ in range(n):
        labels = (RNG.uniform(size=size) > 0.4).astype(np.int64)
        scores = np.clip(0.35 * labels + RNG.uniform(size=size) * 0.65, 0, 1).astype(np.float32)
        weights = RNG.choice([0.0, 0.5, 1.0, 2.0], size=size).astype(np.float32) if weighted else None
        out.append((labels, scores, weights))
    return out


def test_accuracy_streams_over_batches(sess):
    labels = tf.placeholder(tf.int64, [None])
    preds = tf.placeholder(tf.int64, [None])
    weights = tf.placeholder(tf.float32, [None])
    acc, update = tf.metrics.accuracy(labels, preds)
    wacc, wupdate = tf.metrics.accuracy(labels, preds, weights=weights)
    sess.run(tf.local_variables_initializer())
    assert sess.run(acc) == 0.0 and sess.run(wacc) == 0.0  # no data yet: 0, not NaN
    correct, total, wcorrect, wtotal = 0.0, 0.0, 0.0, 0.0
    for _ in range(4):
        y = RNG.integers(0, 3, size=7)
        p = RNG.integers(0, 3, size=7)
        w = RNG.choice([0.0, 1.0, 3.0], size=7).astype(np.float32)
        correct, total = correct + (y == p).sum(), total + 7
        wcorrect, wtotal = wcorrect + ((y == p) * w).sum(), wtotal + w.sum()
        got, wgot = sess.run([update, wupdate], {labels: y, preds: p, weights: w})
        np.testing.assert_allclose(got, correct / total, rtol=1e-6)
        np.testing.assert_allclose(wgot, wcorrect / wtotal if wtotal else 0.0, rtol=1e-6)
        np.testing.assert_allclose(sess.run(acc), correct / total, rtol=1e-6)  # reading does not update
        np.testing.assert_allclose(sess.run(acc), correct / total, rtol=1e-6)


def test_accuracy_squeezes_and_casts(sess):
    acc, update = tf.metrics.accuracy(labels=np.array([[1], [2], [0]]), predictions=np.array([1.0, 2.0, 2.0]))
    sess.run(tf.local_variables_initializer())
    np.testing.assert_allclose(sess.run(update), 2 / 3, rtol=1e-6)
    with pytest.raises(ValueError, match="are incompatible"):
        tf.metrics.accuracy(labels=[1, 2, 3], predictions=[1, 2])


def test_mean_with_weights(sess):
    values = tf.placeholder(tf.float32, [None, 2])
    weights = tf.placeholder(tf.float32, [None, 2])
    row_weights = tf.placeholder(tf.float32, [None])
    m, update = tf.metrics.mean(values)
    wm, wupdate = tf.metrics.mean(values, weights=weights)
    rm, rupdate = tf.metrics.mean(values, weights=row_weights)   # [batch] weights expanded to [batch, 1]
    sm, supdate = tf.metrics.mean(values, weights=3.0)
    sess.run(tf.local_variables_initializer())
    seen, seen_w, seen_rw = [], [], []
    for _ in range(3):
        v = RNG.standard_normal((5, 2)).astype(np.float32)
        w = RNG.choice([0.0, 1.0, 2.5], size=(5, 2)).astype(np.float32)
        rw = RNG.choice([0.0, 1.0, 2.0], size=5).astype(np.float32)
        seen.append(v), seen_w.append(w), seen_rw.append(np.repeat(rw[:, None], 2, 1))
        got = sess.run([update, wupdate, rupdate, supdate], {values: v, weights: w, row_weights: rw})
        allv, allw, allrw = np.concatenate(seen), np.concatenate(seen_w), np.concatenate(seen_rw)
        expected = [allv.mean(), (allv * allw).sum() / allw.sum(), (allv * allrw).sum() / allrw.sum(), allv.mean()]
        np.testing.assert_allclose(got, expected, rtol=1e-5)
        np.testing.assert_allclose(sess.run([m, wm, rm, sm]), expected, rtol=1e-5)
    # All weights zero: 0, not NaN.
    zm, zupdate = tf.metrics.mean([1.0, 2.0], weights=[0.0, 0.0])
    sess.run(tf.variables_initializer(tf.local_variables()[-2:]))
    assert sess.run(zupdate) == 0.0 and sess.run(zm) == 0.0


def test_local_variables_names_collections_and_reset(sess):
    acc, acc_update = tf.metrics.accuracy([1, 0], [1, 1])
    acc2, _ = tf.metrics.accuracy([1, 0], [1, 1])
    prec, prec_update = tf.metrics.precision([1, 0], [1, 1], name="my_precision")
    auc, _ = tf.metrics.auc([1, 0], [0.7, 0.2], num_thresholds=5)
    names = [v.name for v in tf.local_variables()]
    assert names == ["accuracy/total:0", "accuracy/count:0", "accuracy_1/total:0", "accuracy_1/count:0",
                     "my_precision/true_positives/count:0", "my_precision/false_positives/count:0",
                     "auc/true_positives:0", "auc/false_negatives:0", "auc/true_negatives:0",
                     "auc/false_positives:0"]
    assert tf.get_collection(tf.GraphKeys.METRIC_VARIABLES) == tf.local_variables()
    assert tf.trainable_variables() == [] and tf.global_variables() == []
    assert [acc.name, acc_update.name, acc2.name] == ["accuracy/value:0", "accuracy/update_op:0",
                                                      "accuracy_1/value:0"]
    assert [prec.name, prec_update.name, auc.name] == ["my_precision/value:0", "my_precision/update_op:0",
                                                      "auc/value:0"]
    assert tf.local_variables()[-1].shape.as_list() == [5]
    with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized"):
        sess.run(acc)
    sess.run(tf.local_variables_initializer())
    for _ in range(3):
        sess.run([acc_update, prec_update])
    assert sess.run(tf.local_variables()[1]) == 6.0 and sess.run(acc) == 0.5
    sess.run(tf.local_variables_initializer())  # resets every count
    assert sess.run(tf.local_variables()[1]) == 0.0 and sess.run([acc, prec]) == [0.0, 0.0]


def test_metrics_and_updates_collections():
    value, update = tf.metrics.mean([1.0], metrics_collections=["my_metrics"], updates_collections=["my_updates"])
    r, r_update = tf.metrics.recall([1], [1], metrics_collections=["my_metrics"])
    assert tf.get_collection("my_metrics") == [value, r] and tf.get_collection("my_updates") == [update]


@pytest.mark.parametrize("weighted", [False, True])
def test_precision_recall_and_counts(sess, weighted):
    labels = tf.placeholder(tf.int64, [None])
    preds = tf.placeholder(tf.bool, [None])
    weights = tf.placeholder(tf.float32, [None]) if weighted else None
    metrics = [tf.metrics.precision(labels, preds, weights), tf.metrics.recall(labels, preds, weights),
               tf.metrics.true_positives(labels, preds, weights), tf.metrics.false_positives(labels, preds, weights),
               tf.metrics.false_negatives(labels, preds, weights), tf.metrics.true_negatives(labels, preds, weights)]
    values, updates = [m[0] for m in metrics], [m[1] for m in metrics]
    sess.run(tf.local_variables_initializer())
    assert sess.run(values) == [0.0] * 6  # nothing predicted or labelled positive: precision and recall are 0
    counts = np.zeros(4)
    for y, s, w in batches(4, 9, weighted):
        p = s > 0.5
        w_np = np.ones(9) if w is None else w
        counts += [((y == 1) & p) @ w_np, ((y == 0) & p) @ w_np, ((y == 1) & ~p) @ w_np, ((y == 0) & ~p) @ w_np]
        feed = {labels: y, preds: p}
        if weighted:
            feed[weights] = w
        tp, fp, fn, tn = counts
        expected = [tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0, tp, fp, fn, tn]
        np.testing.assert_allclose(sess.run(updates, feed), expected, rtol=1e-6)
        np.testing.assert_allclose(sess.run(values), expected, rtol=1e-6)


def test_precision_zero_division_is_zero(sess):
    prec, prec_update = tf.metrics.precision(labels=[1, 1, 0], predictions=[False, False, False])
    rec, rec_update = tf.metrics.recall(labels=[0, 0, 0], predictions=[True, False, True])
    sess.run(tf.local_variables_initializer())
    assert sess.run([prec_update, rec_update]) == [0.0, 0.0]
    assert sess.run([prec, rec]) == [0.0, 0.0]


def test_error_metrics(sess):
    labels = tf.placeholder(tf.float32, [None, 3])
    preds = tf.placeholder(tf.float32, [None, 3])
    weights = tf.placeholder(tf.float32, [None, 1])
    mse, mse_up = tf.metrics.mean_squared_error(labels, preds, weights)
    mae, mae_up = tf.metrics.mean_absolute_error(labels, preds)
    rmse, rmse_up = tf.metrics.root_mean_squared_error(labels, preds)
    below, below_up = tf.metrics.percentage_below(preds, 0.25)
    assert [v.name for v in tf.local_variables()][4:6] == ["root_mean_squared_error/total:0",
                                                          "root_mean_squared_error/count:0"]
    sess.run(tf.local_variables_initializer())
    ys, ps, ws = [], [], []
    for _ in range(3):
        y, p = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
        w = RNG.choice([0.0, 1.0, 2.0], size=(4, 1))
        ys.append(y), ps.append(p), ws.append(np.repeat(w, 3, 1))
        got = sess.run([mse_up, mae_up, rmse_up, below_up], {labels: y, preds: p, weights: w})
        Y, P, W = np.concatenate(ys), np.concatenate(ps), np.concatenate(ws)
        expected = [((Y - P) ** 2 * W).sum() / W.sum(), np.abs(Y - P).mean(), np.sqrt(((Y - P) ** 2).mean()),
                    (P < 0.25).mean()]
        np.testing.assert_allclose(got, expected, rtol=1e-5)
        np.testing.assert_allclose(sess.run([mse, mae, rmse, below]), expected, rtol=1e-5)


# --- AUC: an independent NumPy version of TensorFlow's thresholded approximation ------------------------------
def auc_reference(labels, scores, weights, num_thresholds=200, curve="ROC", method="trapezoidal", thresholds=None):
    if thresholds is None:
        inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    else:
        inner = sorted(thresholds)
    thr = np.array([-1e-7] + inner + [1 + 1e-7], np.float32)
    pos = scores[None, :] > thr[:, None]
    lab = labels.astype(bool)[None, :]
    w = np.ones_like(scores, np.float64) if weights is None else weights.astype(np.float64)
    tp, fp = (pos & lab) @ w, (pos & ~lab) @ w
    fn, tn = (~pos & lab) @ w, (~pos & ~lab) @ w
    if curve == "PR" and method == "careful_interpolation":
        p = tp + fp
        dtp, dp = tp[:-1] - tp[1:], p[:-1] - p[1:]
        slope = np.divide(dtp, dp, out=np.zeros_like(dtp), where=dp > 0)
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        ratio = np.divide(p[:-1], p[1:], out=np.ones_like(dtp), where=both)
        total_pos = tp[1:] + fn[1:]
        area = slope * (dtp + intercept * np.log(ratio))
        return np.divide(area, total_pos, out=np.zeros_like(area), where=total_pos > 0).sum()
    eps = 1e-6
    recall = (tp + eps) / (tp + fn + eps)
    if curve == "ROC":
        x, y = fp / (fp + tn + eps), recall
    else:
        x, y = recall, (tp + eps) / (tp + fp + eps)
    height = {"trapezoidal": (y[:-1] + y[1:]) / 2, "careful_interpolation": (y[:-1] + y[1:]) / 2,
              "minoring": np.minimum(y[:-1], y[1:]), "majoring": np.maximum(y[:-1], y[1:])}[method]
    return ((x[:-1] - x[1:]) * height).sum()


@pytest.mark.parametrize("curve,method", [("ROC", "trapezoidal"), ("ROC", "minoring"), ("ROC", "majoring"),
                                          ("ROC", "careful_interpolation"), ("PR", "trapezoidal"),
                                          ("PR", "careful_interpolation"), ("PR", "majoring")])
@pytest.mark.parametrize("weighted", [False, True])
def test_auc_matches_numpy_over_updates(sess, curve, method, weighted):
    labels = tf.placeholder(tf.int64, [None])
    scores = tf.placeholder(tf.float32, [None])
    weights = tf.placeholder(tf.float32, [None]) if weighted else None
    value, update = tf.metrics.auc(labels, scores, weights, num_thresholds=50, curve=curve,
                                   summation_method=method)
    sess.run(tf.local_variables_initializer())
    seen = []
    for y, s, w in batches(3, 40, weighted):
        seen.append((y, s, w))
        feed = {labels: y, scores: s}
        if weighted:
            feed[weights] = w
        Y, S = np.concatenate([b[0] for b in seen]), np.concatenate([b[1] for b in seen])
        W = np.concatenate([b[2] for b in seen]) if weighted else None
        expected = auc_reference(Y, S, W, 50, curve, method)
        np.testing.assert_allclose(sess.run(update, feed), expected, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(sess.run(value), expected, rtol=1e-4, atol=1e-6)


def test_auc_exact_cases_and_custom_thresholds(sess):
    perfect, perfect_up = tf.metrics.auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    inverted, inverted_up = tf.metrics.auc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])
    edges, edges_up = tf.metrics.auc([0, 1, 0, 1], [0.0, 1.0, 0.3, 0.6], thresholds=[0.5, 0.25, 0.75])
    sess.run(tf.local_variables_initializer())
    got = sess.run([perfect_up, inverted_up, edges_up])
    np.testing.assert_allclose(got[:2], [1.0, 0.0], atol=1e-5)
    expected = auc_reference(np.array([0, 1, 0, 1]), np.array([0.0, 1.0, 0.3, 0.6], np.float32), None,
                             thresholds=[0.5, 0.25, 0.75])
    np.testing.assert_allclose(got[2], expected, rtol=1e-5)
    assert tf.local_variables()[-1].shape.as_list() == [5]  # 3 thresholds + the two endpoints


def test_auc_and_threshold_metric_errors():
    with pytest.raises(ValueError, match="Curve must be either ROC or PR. Curve XY is unknown."):
        tf.metrics.auc([1, 0], [0.5, 0.5], curve="XY")
    with pytest.raises(ValueError, match="Invalid summation_method: simpson"):
        tf.metrics.auc([1, 0], [0.5, 0.5], summation_method="simpson")


def test_counts_precision_recall_at_thresholds(sess):
    labels = tf.placeholder(tf.int64, [None])
    scores = tf.placeholder(tf.float32, [None])
    thresholds = [0.2, 0.5, 0.8]
    fns = [tf.metrics.true_positives_at_thresholds, tf.metrics.false_positives_at_thresholds,
           tf.metrics.false_negatives_at_thresholds, tf.metrics.true_negatives_at_thresholds,
           tf.metrics.precision_at_thresholds, tf.metrics.recall_at_thresholds]
    metrics = [fn(labels, scores, thresholds) for fn in fns]
    assert [v.name for v in tf.local_variables()][:4] == ["true_positives/true_positives:0",
                                                         "false_positives/false_positives:0",
                                                         "false_negatives/false_negatives:0",
                                                         "true_negatives/true_negatives:0"]
    sess.run(tf.local_variables_initializer())
    Y, S = np.zeros(0, np.int64), np.zeros(0, np.float32)
    for y, s, _ in batches(3, 10):
        Y, S = np.concatenate([Y, y]), np.concatenate([S, s])
        pos = S[None, :] > np.array(thresholds, np.float32)[:, None]
        lab = Y.astype(bool)[None, :]
        tp, fp = (pos & lab).sum(1), (pos & ~lab).sum(1)
        fn, tn = (~pos & lab).sum(1), (~pos & ~lab).sum(1)
        expected = [tp, fp, fn, tn, tp / (tp + fp + 1e-7), tp / (tp + fn + 1e-7)]
        got = sess.run([m[1] for m in metrics], {labels: y, scores: s})
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g, e, rtol=1e-6)
        for g, e in zip(sess.run([m[0] for m in metrics]), expected):
            np.testing.assert_allclose(g, e, rtol=1e-6)


def test_evaluation_loop_with_a_model(sess):
    """The usual pattern: a classifier's accuracy and AUC accumulated over an evaluation set."""
    x = tf.placeholder(tf.float32, [None, 2])
    y = tf.placeholder(tf.int64, [None])
    logits = tf.layers.dense(x, 2)
    acc, acc_op = tf.metrics.accuracy(labels=y, predictions=tf.argmax(logits, 1))
    auc, auc_op = tf.metrics.auc(labels=y, predictions=tf.nn.softmax(logits)[:, 1])
    sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
    xs = RNG.standard_normal((30, 2)).astype(np.float32)
    ys = (xs[:, 0] > 0).astype(np.int64)
    for i in range(0, 30, 10):
        sess.run([acc_op, auc_op], {x: xs[i:i + 10], y: ys[i:i + 10]})
    out, probs = sess.run(logits, {x: xs}), sess.run(tf.nn.softmax(logits), {x: xs})
    np.testing.assert_allclose(sess.run(acc), (out.argmax(1) == ys).mean(), rtol=1e-6)
    np.testing.assert_allclose(sess.run(auc), auc_reference(ys, probs[:, 1].astype(np.float32), None), rtol=1e-4)


def test_count_weights_of_another_rank_are_rejected():
    with pytest.raises(ValueError, match=r"must have rank in \(0, 1\).  Received rank 3"):
        tf.metrics.true_positives([1, 0], [1, 1], weights=np.ones((2, 2, 2), np.float32))
