"""`tf.data.Iterator`: one-shot and initializable iterators whose get_next() feeds the graph."""
__all__ = []
