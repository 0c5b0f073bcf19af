"""Graph serialization: export_meta_graph / import_meta_graph (a safe format, no pickle)."""
__all__ = []
