"""`tf.math`: TensorFlow 1.x's math namespace, each name an alias of the one implementation (mostly the top-level
`tf.<name>`; the activations and top_k live in `tf.nn`). A name whose implementation neuroflow lacks is absent."""
from .util.lazy_alias import alias_module

_SAME_AS_TOP_LEVEL = """
abs accumulate_n acos acosh add add_n angle argmax argmin asin asinh atan atan2 atanh betainc bincount ceil
confusion_matrix conj cos cosh count_nonzero cumprod cumsum digamma divide equal erf erfc exp expm1 floor floordiv
floormod greater greater_equal igamma igammac imag invert_permutation is_finite is_inf is_nan is_non_decreasing
is_strictly_increasing lbeta less less_equal lgamma log log1p log_sigmoid logical_and logical_not logical_or
logical_xor maximum minimum mod multiply negative not_equal polygamma polyval pow real reciprocal reduce_all
reduce_any reduce_logsumexp reduce_max reduce_mean reduce_min reduce_prod reduce_sum rint round rsqrt scalar_mul
segment_max segment_mean segment_min segment_prod segment_sum sigmoid sign sin sinh sqrt square squared_difference
subtract tan tanh truediv unsorted_segment_max unsorted_segment_mean unsorted_segment_min unsorted_segment_prod
unsorted_segment_sqrt_n unsorted_segment_sum zeta
""".split()

_TABLE = {name: name for name in _SAME_AS_TOP_LEVEL}
_TABLE.update({
    "divide_no_nan": "div_no_nan",
    "in_top_k": "nn.in_top_k", "l2_normalize": "nn.l2_normalize", "log_softmax": "nn.log_softmax",
    "softmax": "nn.softmax", "softplus": "nn.softplus", "softsign": "nn.softsign", "top_k": "nn.top_k",
    "zero_fraction": "nn.zero_fraction",
})
alias_module(globals(), _TABLE)
