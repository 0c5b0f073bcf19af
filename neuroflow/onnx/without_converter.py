"""The OpDefs without an ONNX converter: those the exporter writes itself (graph inputs, initializers, ops it
resolves to their input) and those that cannot be exported, each with the reason the export error gives. With the
converters, every OpDef's fate in an export is stated (tests/test_registries.py fails for one that is not)."""
from ..data import iterator_ops as it
from ..eager import variable as ev
from ..framework import constant_op
from ..ops import array_ops as ar
from ..ops import cond_ops, while_grad
from ..ops import control_flow_ops as cf
from ..ops import conv_ops as cv
from ..ops import grad_support_ops as gs
from ..ops import index_ops as ix
from ..ops import logging_ops as lg
from ..ops import manip_ops as mp
from ..ops import cumulative_ops as cu
from ..ops import normalization_ops as no
from ..ops import nn_ops as nn
from ..ops import pad_ops as pd
from ..ops import pool_ops as pl
from ..ops import queue_ops as qu
from ..ops import count_up_to_op as cu_op
from ..ops import reader_ops as rdr
from ..ops import py_function_ops as pf
from ..ops import random_ops as rd
from ..ops import rnn_ops as rn
from ..ops import script_ops as sc
from ..ops import slicing as sl
from ..ops import state_ops as st
from ..ops import training_ops as tr
from ..ops import tensor_list_grad_ops as tlg
from ..ops import tensor_list_ops as tl
from ..summary import kernels as sm
from .exporter import PASS_THROUGH
from .registry import handled_by_exporter, not_exportable

__all__ = []

handled_by_exporter("an input of the model when listed in `inputs` (else the export names it as missing)",
                    ar.Placeholder)
handled_by_exporter("an initializer holding its value", constant_op.Const)
handled_by_exporter("an initializer holding the variable's value in the session", st.VariableV2)
handled_by_exporter("resolved to its input: at inference its output is its first input", *PASS_THROUGH)

not_exportable(
    "it is a training-only op (it updates variables or computes gradients). Export the inference outputs (e.g. "
    "the logits or probabilities), not the train op, the loss's gradients or initializers",
    st.Assign, st.AssignAdd, st.AssignSub, st.IsVariableInitialized, st.ReportUninitializedVariables, cf.NoOp,
    tr.ApplyGradientDescent, tr.ApplyMomentum, tr.ApplyAdagrad, tr.ApplyAdadelta, tr.ApplyRMSProp,
    tr.ApplyCenteredRMSProp, tr.ApplyAdam, gs.SumToShape, nn.ReluGrad, nn.BiasAddGrad, cv.Conv2DBackpropInput,
    cv.Conv2DBackpropFilter, cv.DepthwiseConv2dNativeBackpropInput, cv.DepthwiseConv2dNativeBackpropFilter,
    pl.AvgPoolGrad, pl.MaxPoolGrad, pl.MaxPoolGradGrad, no.FusedBatchNormGradV3, ix.GatherV2Grad, pd.MirrorPadGrad,
    sl.StridedSliceGrad, rn.BlockLSTMGrad, rn.LSTMBlockCellGrad)
not_exportable(
    "it reads a tf.data iterator, which ONNX cannot hold. Build the inference graph on a placeholder and export "
    "that placeholder as the input",
    it.IteratorV2, it.OneShotIterator, it.MakeIterator, it.IteratorGetNext, it.IteratorToStringHandle,
    it.IteratorFromStringHandleV2)
not_exportable(
    "it uses a TF1 input queue, which ONNX cannot hold. Build the inference graph on a placeholder and export "
    "that placeholder as the input",
    qu.FIFOQueueV2, qu.RandomShuffleQueueV2, qu.PaddingFIFOQueueV2, qu.QueueEnqueueV2, qu.QueueEnqueueManyV2,
    qu.QueueDequeueV2, qu.QueueDequeueManyV2, qu.QueueDequeueUpToV2, qu.QueueCloseV2, qu.QueueSizeV2)
not_exportable(
    "it counts epochs of a TF1 input pipeline in a variable. Build the inference graph on a placeholder and export "
    "that placeholder as the input",
    cu_op.CountUpTo)
not_exportable(
    "it reads files through a TF1 reader, which ONNX cannot hold. Build the inference graph on a placeholder and "
    "export that placeholder as the input",
    rdr.TextLineReaderV2, rdr.WholeFileReaderV2, rdr.FixedLengthRecordReaderV2, rdr.TFRecordReaderV2,
    rdr.ReaderReadV2, rdr.ReaderReadUpToV2, rdr.ReaderNumRecordsProducedV2, rdr.ReaderResetV2)
not_exportable(
    "it draws new random numbers on each run; an exported inference graph must be deterministic (build it with "
    "training=False, or dropout's keep_prob 1)",
    rd.RandomUniform, rd.RandomNormal, rd.TruncatedNormal, rd.Multinomial, rd.RandomShuffle, rd.RandomGamma,
    rd.RandomPoissonV2, rd.RandomUniformInt)
not_exportable(
    "it reads an eager variable, which lives outside any graph. Export a graph built in graph mode, whose "
    "variables become initializers", ev.ReadVariableOp)
not_exportable(
    "ONNX (opset 17) has CumSum but no cumulative product, and exp(cumsum(log(x))) is wrong for zero and negative "
    "entries", cu.Cumprod)
not_exportable("it is made for complex tensors only (real ones get a Transpose), and ONNX export supports no "
               "complex dtype", mp.ConjugateTranspose)
not_exportable(
    "it writes a TensorBoard summary (a serialized protocol buffer), which is not part of a model's inference; "
    "export the outputs the summaries watch instead", sm.ScalarSummary, sm.HistogramSummary, sm.ImageSummary,
    sm.AudioSummaryV2, sm.TensorSummaryV2, sm.MergeSummary)
not_exportable("it reads a forward loop's per-iteration values in the loop's gradient, which is training-only",
               while_grad.IterationValue, while_grad.IterationValueGrad)
not_exportable("it checks that at most one of tf.case's predicates holds (exclusive=True), or that one holds (no "
               "default), which only a training or debugging graph needs; build the case with exclusive=False and a "
               "default for export", cond_ops.CaseCheck)
not_exportable(
    "it calls a Python function, which an ONNX model cannot hold; write the computation with TensorFlow ops (or "
    "export the graph up to the py_func's inputs)", sc.PyFunc, sc.PyFuncStateless, pf.EagerPyFunc)
not_exportable(
    "it prints or checks values at run time, a side effect an ONNX inference model does not have (tf.print and "
    "tf.Assert ops reached only through control dependencies are left out of an export; tf.Print passes its input "
    "through)", lg.PrintV2, lg.AssertOp)
not_exportable(
    "it concatenates or splits a TensorArray's list by element lengths, which the export to ONNX sequences does "
    "not cover (only reserve, in-order writes, reads, unstack, stack and size do); export a graph that uses "
    "tf.concat/tf.split on tensors instead", tl.TensorListConcat, tl.TensorListSplit)
not_exportable(
    "it computes a gradient of a TensorArray operation, which only training needs; export the inference outputs",
    tlg.TensorListGatherOrZeros, tlg.TensorListClearItems, tlg.TensorListAddRows, tlg.TensorListSplitLike,
    tlg.TensorListConcatOrZeros)

from ..ops import sparse_ops as sp  # noqa: E402
not_exportable(
    "it works on a SparseTensor's coordinate lists, which ONNX (opset 17) has no operators for; densify the "
    "input before the exported part of the graph", sp.SparseReorder, sp.SparseReshape)

from ..ops import linalg_decomp_ops as ld  # noqa: E402 - the matrix and segment families' fates, kept together
from ..ops import unary_ops as uo_tan  # noqa: E402
from ..ops import matrix_ops as mx  # noqa: E402
from ..ops import segment_ops as sg  # noqa: E402
not_exportable(
    "ONNX (opset 17) has no operator for this matrix decomposition or solve; compute it before the exported part "
    "of the graph", ld.MatrixInverse, ld.LogMatrixDeterminant, ld.Cholesky, ld.MatrixSolve,
    ld.MatrixTriangularSolve, ld.SelfAdjointEigV2, ld.Svd, ld.Qr)
not_exportable(
    "its converter is not written yet (ONNX has Det, Tan, Trilu and scatter ops that could express it)",
    ld.MatrixDeterminant, uo_tan.Tan, mx.Diag, mx.DiagPart, mx.MatrixDiag, mx.MatrixDiagPart, mx.MatrixSetDiag,
    mx.MatrixBandPart, mx.Cross, *sg.SORTED.values(), *sg.UNSORTED.values())
from ..ops import select_ops as sel  # noqa: E402
not_exportable("its converter (ONNX Where on a condition reshaped to pick rows) is not written yet; tf.where with "
               "a condition of x's shape exports as ONNX Where", sel.Select)
from ..ops import special_math_ops as smo  # noqa: E402
not_exportable("its converter is not written yet (ONNX has Asin, Acos, Atan, Sinh, Cosh, Asinh, Acosh, Atanh, Erf, "
               "IsNaN and IsInf)", smo.Asin, smo.Acos, smo.Atan, smo.Sinh, smo.Cosh, smo.Asinh, smo.Acosh, smo.Atanh,
               smo.Erf, smo.Erfc, smo.IsNan, smo.IsInf, smo.IsFinite, smo.Atan2)
not_exportable("ONNX (opset 17) has no log-gamma or digamma operator", smo.Lgamma, smo.Digamma)
from ..ops import einsum_ops as ein  # noqa: E402
not_exportable("its converter (to ONNX Einsum) is not written yet; write the contraction with tf.matmul for export",
               ein.Einsum)
from ..ops import scatter_ops as sct  # noqa: E402
not_exportable(
    "it is a training-only op (it updates variables in place). Export the inference outputs, not the train op",
    sct.ScatterAdd, sct.ScatterSub, sct.ScatterUpdate)
from ..ops import candidate_sampling_ops as cs  # noqa: E402
not_exportable(
    "it draws random classes for a sampled training loss; an exported inference graph computes the full logits "
    "(matmul with the class weights) instead", cs.UniformCandidateSampler, cs.LogUniformCandidateSampler)
from ..ops import image_codec_ops as icd  # noqa: E402 - tf.image's fates, kept together
from ..ops import image_ops as img  # noqa: E402
from ..ops import jpeg_ops as jpg  # noqa: E402
from ..ops import resize_ops as rsz  # noqa: E402
from ..ops import soft_nms_ops as snms  # noqa: E402
from ..ops import combined_nms_ops as cnms  # noqa: E402
not_exportable(
    "ONNX Resize has no area-averaging mode; resize with bilinear interpolation (or average pooling, for an "
    "integer factor) in a graph meant for export", rsz.ResizeArea)
not_exportable("it computes the gradient of an image resize, which only training needs; export the inference "
               "outputs", rsz.ResizeBilinearGrad, rsz.ResizeNearestNeighborGrad, rsz.ResizeBicubicGrad)
not_exportable(
    "its converter is not written yet (ONNX NonMaxSuppression returns [batch, class, box] triples, not "
    "TensorFlow's box indices); run the suppression after the exported part of the graph", img.NonMaxSuppressionV3,
    img.NonMaxSuppressionWithOverlaps, snms.NonMaxSuppressionV5, cnms.CombinedNonMaxSuppression)
not_exportable("it draws boxes onto images for display, which is not part of a model's inference",
               img.DrawBoundingBoxes, img.DrawBoundingBoxesV2)
from ..ops import bounding_box_ops as bbx  # noqa: E402
not_exportable("it draws a random crop window for data augmentation, which an exported inference graph does not "
               "have; crop in the input pipeline instead", bbx.SampleDistortedBoundingBoxV2)
not_exportable(
    "it encodes or decodes image file bytes (a string), which ONNX models do not take; export the graph from the "
    "decoded image on", icd.EncodePng, icd.DecodePng, icd.DecodeJpeg, icd.EncodeJpeg, icd.DecodeGif, icd.DecodeBmp,
    icd.DecodeImage, jpg.DecodeAndCropJpeg, jpg.ExtractJpegShape, jpg.EncodeJpegVariableQuality)
from ..ops import edit_distance_ops as ed  # noqa: E402
not_exportable("it compares variable-length sequences held as SparseTensors (dynamic programming per sequence), "
               "which ONNX has no operator for; compute it after the exported part of the graph", ed.EditDistance)
from ..ops import bitwise_ops as bw  # noqa: E402
not_exportable(
    "ONNX has bitwise and/or/xor/not only from opset 18 (neuroflow exports opset 17) and BitShift for unsigned "
    "integers only; compute the bits before the exported part of the graph", bw.BitwiseAnd, bw.BitwiseOr,
    bw.BitwiseXor, bw.Invert, bw.LeftShift, bw.RightShift)
from ..ops import sparse_training_ops as stn  # noqa: E402
not_exportable(
    "it is a training-only op (an optimizer's update of the rows an IndexedSlices gradient names). Export the "
    "inference outputs, not the train op", stn.SparseApplyMomentum, stn.SparseApplyAdagrad, stn.SparseApplyAdadelta,
    stn.SparseApplyRMSProp, stn.SparseApplyCenteredRMSProp)
from ..ops import string_ops as so  # noqa: E402
from ..ops import string_split_join_ops as ssj  # noqa: E402
not_exportable(
    "it works on string tensors, which neuroflow's ONNX export does not support; convert strings to numbers "
    "before the exported part of the graph", so.StringJoin, so.StringLength, so.Substr, so.StringToNumber,
    so.RegexReplace, so.AsString, so.StringStrip, so.StringLower, so.StringUpper, ssj.StringSplit, ssj.StringSplitV2,
    ssj.ReduceJoin)
from ..ops import string_hash_ops as sho  # noqa: E402
not_exportable(
    "it hashes string tensors (farmhash Fingerprint64), which neuroflow's ONNX export does not support; hash the "
    "strings into ids before the exported part of the graph", sho.StringToHashBucketFast)
from ..ops import vocabulary_lookup_ops as vlo  # noqa: E402
not_exportable(
    "it maps feature values to vocabulary ids on the host (strings, or hash buckets for unknown ones); look the ids "
    "up before the exported part of the graph", vlo.VocabularyLookup)
from ..ops import sparse_cross_ops as sxo  # noqa: E402
not_exportable(
    "it crosses feature values into a SparseTensor of hashed ids or strings, whose size depends on the data; cross "
    "the features before the exported part of the graph", sxo.SparseCross)
from ..ops import io_ops as fio  # noqa: E402
not_exportable(
    "it reads or writes files (string paths and bytes) when run, which is not part of a model's inference; feed "
    "the decoded values to the exported graph instead", fio.ReadFile, fio.WriteFile, fio.MatchingFiles)
from ..ops import ctc_ops as ctc  # noqa: E402
not_exportable("CTC runs a dynamic-programming recursion over each sequence's labels, which ONNX has no operator "
               "for; export the logits and decode them outside the model", ctc.CTCLoss, ctc.CTCGreedyDecoder)
from ..ops import parsing_ops as prs  # noqa: E402
not_exportable(
    "it parses string records (CSV text, raw bytes), which neuroflow's ONNX export does not support; feed the "
    "parsed numbers to the exported graph instead", prs.DecodeCSV, prs.DecodeRaw)
from ..ops import example_parsing_ops as exparse  # noqa: E402
not_exportable("it decodes serialized tf.train.Example protos (bytes), which neuroflow's ONNX export does not "
               "support; feed the parsed features to the exported graph instead", exparse.ParseExample)
from ..ops import sequence_example_parsing_ops as seqparse  # noqa: E402
not_exportable("it decodes a serialized tf.train.SequenceExample (bytes), which neuroflow's ONNX export does not "
               "support; feed the parsed feature lists to the exported graph instead", seqparse.ParseSequenceExample)
from ..ops import ctc_beam_search_ops as ctcb  # noqa: E402
not_exportable("beam search keeps a data-dependent set of label prefixes, which ONNX has no operator for; export "
               "the logits and decode them outside the model", ctcb.CTCBeamSearchDecoder)
from ..ops import shape_n_ops as shn  # noqa: E402
from ..ops import broadcast_gradient_args_op as bga  # noqa: E402
not_exportable("it appears in TensorFlow's gradient graphs (Conv2D's gradient) imported from TensorFlow's files; "
               "export the inference outputs, not the train op (tf.shape exports)", shn.ShapeN)
not_exportable("it computes gradient reduction axes in TensorFlow's training graphs; export the inference "
               "outputs, not the train op", bga.BroadcastGradientArgs)
from ..ops import dynamic_stitch_ops as dst  # noqa: E402
not_exportable("its output's length is the largest index fed + 1, which ONNX's ScatterND cannot size; it appears in "
               "TensorFlow's gradient graphs: export the inference outputs, not the train op", dst.DynamicStitch)
from ..distribute import mpi_ops as hvd_ops  # noqa: E402
not_exportable("it is an MPI collective across training processes (data-parallel training), which has no meaning "
               "in a single ONNX model; export the model's inference graph without it", hvd_ops.HorovodAllreduce,
               hvd_ops.HorovodGroupedAllreduce, hvd_ops.HorovodAllgather, hvd_ops.HorovodBroadcast)
