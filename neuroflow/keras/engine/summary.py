"""`model.summary()`: Keras's table of a model's layers, output shapes and parameter counts."""
import numpy as np

__all__ = ["print_summary"]


def _count(weights):
    return int(sum(int(np.prod(w.shape.as_list(), dtype=np.int64)) for w in {id(w): w for w in weights}.values()))


def _is_sequential_like(model):
    """A Sequential, a subclassed model, or a functional chain with one node per depth and no shared layer is
    shown with three columns; other functional models add "Connected to"."""
    if type(model).__name__ == "Sequential" or not model._is_graph_network:
        return True
    nodes = []
    for depth_nodes in model._nodes_by_depth.values():
        if len(depth_nodes) > 1 or (len(depth_nodes) == 1 and len(depth_nodes[0].inbound_layers) > 1):
            return False
        nodes += depth_nodes
    for layer in model.layers:
        if sum(1 for node in layer._inbound_nodes if any(node is n for n in nodes)) > 1:
            return False
    return True


def print_summary(model, line_length=None, positions=None, print_fn=None):
    """Prints the summary of `model` (see `Network.summary`)."""
    print_fn = print_fn or print
    sequential_like = _is_sequential_like(model)
    if sequential_like:
        line_length = line_length or 65
        positions = positions or [.45, .85, 1.]
        headers = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = positions or [.33, .55, .67, 1.]
        headers = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    relevant_nodes = [n for nodes in model._nodes_by_depth.values() for n in nodes]

    def print_row(fields):
        line = ""
        for i, field in enumerate(fields):
            if i > 0:
                line = line[:-1] + " "
            line += str(field)
            line = line[:positions[i]]
            line += " " * (positions[i] - len(line))
        print_fn(line)

    def output_shape(layer):
        try:
            return layer.output_shape
        except (AttributeError, RuntimeError):
            return "multiple"

    def count(layer):
        try:
            return layer.count_params()
        except ValueError:
            return 0

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    print_row(headers)
    print_fn("=" * line_length)
    layers = model.layers
    for i, layer in enumerate(layers):
        fields = [f"{layer.name} ({type(layer).__name__})", output_shape(layer), count(layer)]
        if sequential_like:
            print_row(fields)
        else:
            connections = []
            for node in layer._inbound_nodes:
                if relevant_nodes and not any(node is n for n in relevant_nodes):
                    continue   # a call outside this model
                for inbound, node_index, tensor_index, _ in node.iterate_inbound():
                    connections.append(f"{inbound.name}[{node_index}][{tensor_index}]")
            print_row(fields + [connections[0] if connections else ""])
            for extra in connections[1:]:
                print_row(["", "", "", extra])
        print_fn(("=" if i == len(layers) - 1 else "_") * line_length)
    trainable = _count(model.trainable_weights)
    non_trainable = _count(model.non_trainable_weights)
    print_fn(f"Total params: {trainable + non_trainable:,}")
    print_fn(f"Trainable params: {trainable:,}")
    print_fn(f"Non-trainable params: {non_trainable:,}")
    print_fn("_" * line_length)
