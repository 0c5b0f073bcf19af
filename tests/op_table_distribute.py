"""Op-table rows for the MPI collectives of neuroflow.distribute (HorovodAllreduce, HorovodGroupedAllreduce,
HorovodAllgather, HorovodBroadcast), run in one process without init(): a world of one rank, where every
collective returns its input (the reduction, gathering or broadcast of a single contribution). Their values across
real ranks are checked in tests/test_distribute_mpi.py."""
import numpy as np

import neuroflow.distribute as hvd
from op_table_base import Row, binary_samples, unary_samples


def _identity(x):
    return np.array(x, copy=True)


def _rows():
    samples = unary_samples() + unary_samples(dtype=np.int32)[:3] + unary_samples(dtype=np.float32)[1:2]
    rows = [Row("hvd_allreduce", hvd.allreduce, _identity, samples, foldable=False),
            Row("hvd_allreduce_sum", lambda x: hvd.allreduce(x, op=hvd.Sum), _identity, samples[:6],
                foldable=False),
            Row("hvd_grouped_allreduce", lambda x, y: _sum(hvd.grouped_allreduce([x, y])), np.add,
                binary_samples(), foldable=False),
            Row("hvd_allgather", hvd.allgather, _identity, [s for s in samples if s[0].ndim], foldable=False,
                data_dependent_shape=True),
            Row("hvd_broadcast", lambda x: hvd.broadcast(x, root_rank=0), _identity, samples, foldable=False)]
    return rows


def _sum(pair):
    return pair[0] + pair[1]


ROWS = _rows()
COVERED_ELSEWHERE = set()
