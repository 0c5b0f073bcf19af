"""TensorFlow 1.x's `tf.cond` frames (Switch and Merge nodes, as frozen TF1 graphs hold them, e.g. a batch norm or
dropout under an `is_training` flag) rewritten for import into neuroflow's engine, which has no dead tensors:
each Switch passes its data on to both branches, and each Merge becomes SelectV2(pred, true value, false value).
Both branches are computed, so a branch that writes state or asserts (its effect would happen on the branch not
taken) is refused; TF1 loops (Enter/Exit/NextIteration/LoopCond) are not rewritten."""
import collections

from .tf_protos import NodeDef

__all__ = ["rewrite_conds", "LOOP_OPS"]

LOOP_OPS = frozenset(("Enter", "RefEnter", "Exit", "RefExit", "NextIteration", "RefNextIteration", "LoopCond"))
_EFFECTS = ("Assign", "Scatter", "Apply", "ResourceApply", "Assert", "Save", "Restore", "Print", "WriteFile")


def _split(name):
    """(node, port, is_control) of an input string."""
    if name.startswith("^"):
        return name[1:], 0, True
    node, sep, port = name.rpartition(":")
    if sep and port.isdigit():
        return node, int(port), False
    return name, 0, False


def _branch_of(start, by_name):
    """(switch node, port) that the value `start` (an input string of a Merge) is computed under: the nearest
    Switch behind it, skipping whole inner conds (a path through an inner Merge must pass its inner Switch
    first); also the names of the nodes on the way (the branch's nodes)."""
    found, seen, branch = set(), set(), set()
    queue = collections.deque([(start, 0)])
    while queue:
        name, level = queue.popleft()
        node_name, port, _ = _split(name)
        if (node_name, level) in seen or node_name not in by_name:
            continue
        seen.add((node_name, level))
        node = by_name[node_name]
        if node.op in ("Switch", "RefSwitch"):
            if level == 0:
                found.add((node_name, port))
                continue
            queue.append((node.input[0], level - 1))
            continue
        branch.add(node_name)
        inner = 1 if node.op in ("Merge", "RefMerge") else 0
        for i in node.input:
            queue.append((i, level + inner))
    return found, branch


def rewrite_conds(nodes):
    """`nodes` (TensorFlow NodeDefs) with every cond frame rewritten; unchanged when there is no Merge.

    Raises:
        ValueError: a Merge whose two branches cannot be told apart, or a branch with side effects.
    """
    if not any(n.op in ("Merge", "RefMerge") for n in nodes) or any(n.op in LOOP_OPS for n in nodes):
        return nodes
    by_name = {n.name: n for n in nodes}
    selects = {}
    for node in nodes:
        if node.op not in ("Merge", "RefMerge"):
            continue
        data = [i for i in node.input if not i.startswith("^")]
        if len(data) != 2:
            raise ValueError(f"Cannot import TF1 cond node '{node.name}' (Merge) of {len(data)} inputs")
        sides = [_branch_of(i, by_name) for i in data]
        switches = [found for found, _ in sides]
        if any(len(s) == 0 for s in switches):
            raise ValueError(f"Cannot import TF1 cond node '{node.name}' (Merge): an input is not computed under "
                             "a Switch")
        preds = [{_source(by_name[s].input[1], by_name) for s, _ in found} for found in switches]
        ports = [{p for _, p in found} for found in switches]
        if len(preds[0] | preds[1]) != 1 or any(len(p) != 1 for p in ports) or ports[0] == ports[1]:
            raise ValueError(f"Cannot import TF1 cond node '{node.name}' (Merge): its two inputs are not the two "
                             "branches of one predicate")
        effects = sorted(n for _, branch in sides for n in branch if by_name[n].op.startswith(_EFFECTS))
        if effects:
            raise ValueError(f"Cannot import TF1 cond node '{node.name}': neuroflow computes both branches, and "
                             f"{effects[:3]} would run on the branch not taken")
        true_input = data[0] if ports[0] == {1} else data[1]
        false_input = data[1] if ports[0] == {1} else data[0]
        pred = next(iter(switches[0]))[0]
        selects[node.name] = (by_name[pred].input[1], true_input, false_input)
    out = []
    for node in nodes:
        inputs = [_renamed(i, by_name, selects) for i in node.input]
        if node.op in ("Switch", "RefSwitch"):
            out.append(_node(node.name, "Identity", [inputs[0]] + [i for i in inputs[2:] if i.startswith("^")],
                             node.device, node.attr.get("T")))
        elif node.name in selects:
            pred, true_input, false_input = (_renamed(i, by_name, selects) for i in selects[node.name])
            controls = [i for i in inputs if i.startswith("^")]
            out.append(_node(node.name, "SelectV2", [pred, true_input, false_input] + controls, node.device,
                             node.attr.get("T")))
            index = _node(node.name + "/value_index", "Cast", [pred], node.device, None)
            index.attr["SrcT"].type, index.attr["DstT"].type = 10, 3   # DT_BOOL -> DT_INT32
            out.append(index)
        else:
            copy = NodeDef()
            copy.CopyFrom(node)
            del copy.input[:]
            copy.input.extend(inputs)
            out.append(copy)
    return out


def _source(name, by_name):
    """The tensor behind a chain of Identity nodes (a cond's `pred_id` is an Identity of its predicate)."""
    while True:
        node_name, port, _ = _split(name)
        node = by_name.get(node_name)
        if node is None or node.op != "Identity" or not node.input:
            return f"{node_name}:{port}"
        name = node.input[0]


def _renamed(name, by_name, selects):
    node_name, port, control = _split(name)
    node = by_name.get(node_name)
    if node is None or control:
        return name
    if node.op in ("Switch", "RefSwitch") and port == 1:
        return node_name                       # both outputs of a rewritten Switch are its data
    if node_name in selects and port == 1:
        return node_name + "/value_index"      # Merge's second output: which branch was taken
    return name


def _node(name, op, inputs, device, type_attr):
    node = NodeDef(name=name, op=op, input=inputs, device=device)
    if type_attr is not None:
        node.attr["T"].CopyFrom(type_attr)
    return node
