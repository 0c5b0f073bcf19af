"""`tf.random`: TensorFlow 1.x's random namespace (`normal` is `tf.random_normal`, `uniform` is
`tf.random_uniform`, the candidate samplers are `tf.nn`'s), each name an alias of the one implementation."""
from .util.lazy_alias import alias_module

alias_module(globals(), {
    "all_candidate_sampler": "nn.all_candidate_sampler", "categorical": "ops.random_ops.categorical",
    "fixed_unigram_candidate_sampler": "nn.fixed_unigram_candidate_sampler", "gamma": "random_gamma",
    "get_seed": "framework.random_seed.get_seed",
    "learned_unigram_candidate_sampler": "nn.learned_unigram_candidate_sampler",
    "log_uniform_candidate_sampler": "nn.log_uniform_candidate_sampler", "multinomial": "multinomial",
    "normal": "random_normal", "poisson": "random_poisson", "set_random_seed": "set_random_seed",
    "shuffle": "random_shuffle", "truncated_normal": "truncated_normal", "uniform": "random_uniform",
    "uniform_candidate_sampler": "nn.uniform_candidate_sampler",
})
