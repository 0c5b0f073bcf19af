"""Op-table entry for the summary primitives: they output serialized protocol buffers, not numbers, so they are
checked in tests/test_summary.py (read back with TensorBoard's EventAccumulator) rather than by rows."""

ROWS = []

COVERED_ELSEWHERE = {"ScalarSummary", "HistogramSummary", "ImageSummary", "AudioSummaryV2", "TensorSummaryV2",
                     "MergeSummary"}
