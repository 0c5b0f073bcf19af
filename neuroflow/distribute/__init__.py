"""`neuroflow.distribute`: data-parallel training over MPI with Horovod's TensorFlow 1.x API, so that
`import horovod.tensorflow as hvd` becomes `import neuroflow.distribute as hvd` and nothing else changes.

Nothing here imports mpi4py until `init()`; before it, the collectives act on a world of one process. See
docs/distributed.md for launching (`mpirun -np 4 python train.py`, Slurm's `srun`) and the scaling model.
"""
from .collectives import CollectiveTimeoutError, MismatchedCollectiveError
from .mpi_ops import (Adasum, Average, Compression, Max, Min, Product, Sum, allgather, allreduce, broadcast,
                      grouped_allreduce)
from .training import (BroadcastGlobalVariablesHook, DistributedGradientTape, DistributedOptimizer,
                       broadcast_global_variables, broadcast_variables)
from .world import (NotInitializedError, allreduce_stats, cross_rank, cross_size, gloo_built, init,
                    is_homogeneous, is_initialized, local_rank, local_size, mpi_built, mpi_enabled,
                    mpi_threads_supported, nccl_built, rank, shutdown, size)

__all__ = ["init", "shutdown", "is_initialized", "size", "rank", "local_rank", "local_size", "cross_rank",
           "cross_size", "is_homogeneous", "mpi_built", "mpi_enabled", "nccl_built", "gloo_built",
           "mpi_threads_supported", "allreduce_stats", "allreduce", "grouped_allreduce", "allgather", "broadcast",
           "broadcast_variables", "broadcast_global_variables", "BroadcastGlobalVariablesHook",
           "DistributedOptimizer", "DistributedGradientTape", "Compression", "Average", "Sum", "Min", "Max",
           "Product", "Adasum", "MismatchedCollectiveError", "CollectiveTimeoutError", "NotInitializedError"]
