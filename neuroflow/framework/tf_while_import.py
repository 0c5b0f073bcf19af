"""TensorFlow 1.x's while frames (Enter, Merge, Switch, LoopCond, NextIteration, Exit, as frozen TF1 graphs of
`tf.while_loop` and `tf.nn.dynamic_rnn` hold them) rebuilt as neuroflow's functional While op for
`import_graph_def`: each frame's condition and body become sub-graphs, its loop variables the While's inputs and
its loop-invariant `Enter(is_constant=True)` inputs captures (a variable is passed in as itself, so assignments
inside update it); nested frames become a While inside the body, and conds inside a body are rewritten as outside
loops (tf_cond_import). Loop variables take the shapes the writer recorded (`_output_shapes`), else none.
TensorFlow's resource-handle TensorArrays (TensorArrayV3 and its reads, writes, gathers, scatters, concats) become
neuroflow's TensorList ops on the flow value, which a loop carries. Whatever cannot be imported (TF1 gradient stacks of training graphs, op types neuroflow lacks,
malformed frames) is listed at once, frame by frame."""
import collections

from .tf_protos import NodeDef as TFNodeDef

__all__ = ["import_while_loops", "while_node", "LOOP_OPS", "STACK_OPS"]

LOOP_OPS = frozenset(("Enter", "RefEnter", "Exit", "RefExit", "NextIteration", "RefNextIteration", "LoopCond"))
# TF1's loop gradients keep per-iteration values on these stacks (training graphs; frozen graphs have none)
STACK_OPS = frozenset(("StackV2", "StackPushV2", "StackPopV2", "StackCloseV2", "Stack", "StackPush", "StackPop",
                       "StackClose"))
_TENSOR_ARRAY_OPS = {"TensorArrayV3": "TensorListReserve", "TensorArrayWriteV3": "TensorListSetItem",
                     "TensorArrayReadV3": "TensorListGetItem", "TensorArrayGatherV3": "TensorListGather",
                     "TensorArrayScatterV3": "TensorListScatter", "TensorArraySizeV3": "TensorListLength",
                     "TensorArraySplitV3": "TensorListSplit", "TensorArrayConcatV3": "TensorListConcat",
                     "TensorArrayCloseV3": "NoOp"}
_ROOT = None   # the frame of nodes outside every loop


def _split(name):
    """(node, port, is_control) of an input string."""
    if name.startswith("^"):
        return name[1:], 0, True
    node, sep, port = name.rpartition(":")
    if sep and port.isdigit():
        return node, int(port), False
    return name, 0, False


def _data(node):
    return [i for i in node.input if not i.startswith("^")]


def _controls(node):
    return [i for i in node.input if i.startswith("^")]


def _new_node(name, op, inputs, device=""):
    return TFNodeDef(name=name, op=op, input=list(inputs), device=device)


# ---- TensorArrays: TensorFlow's handle + flow pairs as neuroflow's list values ----

def _rewrite_tensor_arrays(nodes):
    """`nodes` with each TensorArray op as the TensorList op on its flow input; the handles (TensorArrayV3's
    output 0 and the Enter/Identity/Switch nodes that pass it on) are left out."""
    if not any(n.op in _TENSOR_ARRAY_OPS for n in nodes):
        return nodes
    by_name = {n.name: n for n in nodes}
    source = {n.name: n for n in nodes if n.op == "TensorArrayV3"}   # handle-carrying node -> its TensorArrayV3
    changed = True
    while changed:
        changed = False
        for n in nodes:
            passes_on = n.op in ("Enter", "RefEnter", "Identity", "Switch", "RefSwitch")
            if n.name not in source and passes_on and _data(n):
                origin, port, _ = _split(n.input[0])
                if origin in source and not (by_name[origin].op == "TensorArrayV3" and port != 0):
                    source[n.name] = source[origin]
                    changed = True
    # TensorArrayConcatV3's second output (the items' lengths) has no TensorList counterpart
    lengths_used = {_split(i)[0] for m in nodes for i in _data(m) if _split(i)[1] == 1}
    out = []
    for n in nodes:
        if n.name in source and n.op != "TensorArrayV3":
            continue   # a handle's Enter, Identity or cond Switch
        if n.op not in _TENSOR_ARRAY_OPS:
            out.append(_with_flow_inputs(n, source))
            continue
        data, controls = _data(n), _controls(n)
        array = source.get(_split(data[0])[0]) if data else None
        if n.op == "TensorArrayV3":
            new = _new_node(n.name, "TensorListReserve", data[:1] + controls, n.device)
            new.attr["element_dtype"].CopyFrom(n.attr["dtype"])
            new.attr["element_shape"].CopyFrom(n.attr["element_shape"])
        elif array is None or (n.op == "TensorArrayConcatV3" and n.name in lengths_used):
            out.append(n)   # a handle neuroflow cannot follow: reported with the unsupported ops
            continue
        else:
            inputs = {"TensorArrayWriteV3": (3, 1, 2), "TensorArrayReadV3": (2, 1), "TensorArrayGatherV3": (2, 1),
                      "TensorArrayScatterV3": (3, 1, 2), "TensorArraySizeV3": (1,), "TensorArraySplitV3": (3, 1, 2),
                      "TensorArrayConcatV3": (1,), "TensorArrayCloseV3": ()}[n.op]
            new = _new_node(n.name, _TENSOR_ARRAY_OPS[n.op], [_flow_name(data[k], source) for k in inputs]
                            + controls, n.device)
            if n.op in ("TensorArrayWriteV3", "TensorArrayScatterV3", "TensorArraySplitV3"):
                new.attr["resize_if_index_out_of_bounds"].b = array.attr["dynamic_size"].b
            if n.op in ("TensorArrayReadV3", "TensorArrayGatherV3"):
                new.attr["element_dtype"].CopyFrom(n.attr["dtype"])
                own = n.attr["element_shape"] if "element_shape" in n.attr else None
                known = own is not None and not own.shape.unknown_rank
                new.attr["element_shape"].CopyFrom(own if known else array.attr["element_shape"])
            if n.op == "TensorArrayConcatV3":   # TF gives the items' shape after their first axis
                new.attr["element_dtype"].CopyFrom(n.attr["dtype"])
                rest = n.attr["element_shape_except0"].shape if "element_shape_except0" in n.attr else None
                item = new.attr["element_shape"].shape
                if rest is None or rest.unknown_rank:
                    item.unknown_rank = True
                else:
                    item.dim.add().size = -1
                    for d in rest.dim:
                        item.dim.add().size = d.size
        out.append(new)
    return out


def _flow_name(name, source):
    """An input naming a TensorArrayV3's flow (output 1) names the list (its output 0 after the rewrite)."""
    node, port, control = _split(name)
    if not control and node in source and source[node].name == node and port == 1:
        return node
    return name


def _with_flow_inputs(node, source):
    inputs = [_flow_name(i, source) for i in node.input]
    if inputs == list(node.input):
        return node
    copy = TFNodeDef()
    copy.CopyFrom(node)
    del copy.input[:]
    copy.input.extend(inputs)
    return copy


# ---- frames ----

def _frames(nodes, by_name):
    """({node name: frame name or None}, {frame: parent frame}): TensorFlow's frame of each node, found in a
    topological order that leaves out NextIteration's back edges into Merge."""
    consumers = collections.defaultdict(list)
    pending = {}
    for n in nodes:
        sources = {_split(i)[0] for i in n.input if _split(i)[0] in by_name}
        if n.op in ("Merge", "RefMerge"):
            sources = {s for s in sources if by_name[s].op not in ("NextIteration", "RefNextIteration")}
        pending[n.name] = len(sources)
        for s in sources:
            consumers[s].append(n.name)
    ready = collections.deque(name for name, count in pending.items() if count == 0)
    frame_of, parent = {}, {}
    while ready:
        name = ready.popleft()
        node = by_name[name]
        inputs = [_split(i)[0] for i in _data(node) + _controls(node) if _split(i)[0] in frame_of]
        below = frame_of[inputs[0]] if inputs else _ROOT
        if node.op in ("Enter", "RefEnter"):
            frame = node.attr["frame_name"].s.decode("utf-8", "replace")
            parent.setdefault(frame, below)
        elif node.op in ("Exit", "RefExit"):
            frame = parent.get(below, _ROOT)
        else:
            frame = below
        frame_of[name] = frame
        for c in consumers[name]:
            pending[c] -= 1
            if pending[c] == 0:
                ready.append(c)
    for n in nodes:   # left in a cycle that passes no Merge (a malformed graph): reported by the frame checks
        frame_of.setdefault(n.name, _ROOT)
    return frame_of, parent


# ---- checks: everything that cannot be imported, at once ----

def _check_importable(nodes, frame_of):
    from .graph_io_import import _LAZY_OP_PACKAGES
    from .tf_graph_import import _COMPOSED, _RENAMED, _registered_types, _saver_nodes, UNSUPPORTED_TITLE
    import importlib
    for module in _LAZY_OP_PACKAGES:
        try:
            importlib.import_module(module)
        except ImportError:
            pass
    known = set(_registered_types()) | set(_COMPOSED) | {"Div"} | LOOP_OPS | {"Merge", "RefMerge", "Switch",
                                                                            "RefSwitch"}
    problems = collections.defaultdict(list)   # frame -> offending nodes
    left_out = _saver_nodes(nodes)   # checkpoint I/O, which the import leaves to neuroflow's Saver
    for n in nodes:
        if n.name in left_out:
            continue
        if n.op in STACK_OPS or _RENAMED.get(n.op, n.op) not in known:
            problems[frame_of.get(n.name)].append(n)
    if not problems:
        return
    parts = []
    for frame in sorted(problems, key=lambda f: (f is not _ROOT, f or "")):
        counts = collections.Counter(n.op for n in problems[frame])
        listed = ", ".join(f"{op} ({count} node{'s' if count > 1 else ''}: " +
                           ", ".join([repr(n.name) for n in problems[frame] if n.op == op][:2]) +
                           f"{', ...' if count > 2 else ''})" for op, count in counts.most_common())
        parts.append(f"{'outside loops' if frame is _ROOT else f'in while frame {frame!r}'}: {listed}")
    stacks = any(n.op in STACK_OPS for ns in problems.values() for n in ns)
    hint = (" The StackV2/StackPushV2/StackPopV2 ops are TF1's loop gradients (a training graph): import the "
            "frozen inference graph, or rebuild the model and let neuroflow differentiate its While.") if stacks else ""
    raise ValueError(f"{UNSUPPORTED_TITLE}: {'; '.join(parts)}.{hint} Nothing was imported.")


class _Frame:
    """One while frame's structure: loop variables (Enter -> Merge -> Switch -> Exit), LoopCond, invariants."""

    def __init__(self, name, members, exits, by_name):
        self.name = name
        enters = [n for n in members if n.op in ("Enter", "RefEnter")
                  and n.attr["frame_name"].s.decode("utf-8", "replace") == name]
        self.invariants = {n.name: n for n in enters if n.attr["is_constant"].b}
        var_enters = {n.name: n for n in enters if not n.attr["is_constant"].b}
        self.merges, self.enters, self.nexts = [], [], []
        for n in members:
            if n.op in ("Merge", "RefMerge"):
                sources = [_split(i)[0] for i in _data(n)]
                entering = [s for s in sources if s in var_enters]
                if entering:
                    nexts = [s for s in sources if by_name.get(s) is not None
                             and by_name[s].op in ("NextIteration", "RefNextIteration")]
                    if len(sources) != 2 or len(nexts) != 1:
                        raise ValueError(f"Cannot import TF1 while frame {name!r}: Merge '{n.name}' is not "
                                         "Merge(Enter, NextIteration)")
                    self.merges.append(n)
                    self.enters.append(var_enters[entering[0]])
                    self.nexts.append(by_name[nexts[0]])
        conds = [n for n in members if n.op == "LoopCond"]
        if len(conds) != 1 or not self.merges:
            raise ValueError(f"Cannot import TF1 while frame {name!r}: it has {len(conds)} LoopCond node(s) and "
                             f"{len(self.merges)} loop variable(s)")
        self.loop_cond = conds[0]
        self.var_of = {m.name: k for k, m in enumerate(self.merges)}
        self.renamed = {}   # invariant Enter -> the variable it passes in
        # the loop variables' shapes (their invariants) where the writer recorded them (`add_shapes`)
        self.shapes = [m.attr["_output_shapes"].list.shape[0] if "_output_shapes" in m.attr and
                       m.attr["_output_shapes"].list.shape else None for m in self.merges]
        self.switch_var = {}
        for n in members:
            if n.op in ("Switch", "RefSwitch") and len(_data(n)) == 2 and \
                    _split(_data(n)[1])[0] == self.loop_cond.name:
                merge = _split(_data(n)[0])[0]
                if merge not in self.var_of:
                    raise ValueError(f"Cannot import TF1 while frame {name!r}: Switch '{n.name}' on the LoopCond "
                                     "does not take a loop variable's Merge")
                self.switch_var[n.name] = self.var_of[merge]
        self.exits = {n.name: self.switch_var.get(_split(_data(n)[0])[0]) for n in exits}
        stray = [e for e, k in self.exits.items() if k is None]
        if stray:
            raise ValueError(f"Cannot import TF1 while frame {name!r}: Exit node(s) {stray} do not take a loop "
                             "Switch")

    def loop_var_input(self, name):
        """The input string `name` as seen inside a sub-graph, whose placeholders are named as the Merges (and
        whose variables as the variables)."""
        node, port, control = _split(name)
        if node in self.renamed:
            node = self.renamed[node]
            return "^" + node if control else f"{node}:{port}" if port else node
        if node in self.switch_var:
            if port != 1 and not control:
                raise ValueError(f"Cannot import TF1 while frame {self.name!r}: '{name}' (the loop's exit side) "
                                 "is used inside the loop")
            merge = self.merges[self.switch_var[node]].name
            return "^" + merge if control else merge
        return name


# ---- lowering: frames as While nodes, from the outermost in ----

def import_while_loops(nodes):
    """`nodes` (TensorFlow NodeDefs) with each outermost while frame replaced by a TensorFlow NodeDef stand-in
    of op type While (its inputs: loop variables' initial values, then captures) and its Exit nodes by Identity
    nodes of the While's outputs; also {stand-in name: neuroflow NodeDef of the While} to use in its place.

    Raises:
        ValueError: all unsupported op types and TF1 gradient stacks, frame by frame; a malformed frame.
    """
    nodes = _rewrite_tensor_arrays(list(nodes))
    by_name = {n.name: n for n in nodes}
    frame_of, parent = _frames(nodes, by_name)
    _check_importable(nodes, frame_of)
    return _lower(nodes, _ROOT, frame_of, parent, by_name)


def _lower(nodes, level, frame_of, parent, outer_by_name):
    """(nodes at `level` with its child frames as While stand-ins, {stand-in name: neuroflow While NodeDef})."""
    inside = {n.name: _child_of(frame_of.get(n.name, _ROOT), level, parent) for n in nodes}
    children = sorted({f for f in inside.values() if f is not None})
    if not children:
        return nodes, {}
    by_name = {n.name: n for n in nodes}
    loops, replaced, stand_ins = {}, {}, []
    for frame in children:
        members = [n for n in nodes if inside[n.name] == frame]
        exits = [n for n in nodes if n.op in ("Exit", "RefExit") and _data(n) and inside[n.name] is None
                 and inside.get(_split(_data(n)[0])[0]) == frame]
        stand_in, identities, converted = _lower_frame(frame, members, exits, by_name, frame_of, parent,
                                                       outer_by_name)
        loops[stand_in.name] = converted
        replaced.update(identities)
        stand_ins.append(stand_in)
    out = []
    for n in nodes:
        if n.name in replaced:
            out.append(replaced[n.name])
        elif inside[n.name] is None:
            used = [i for i in n.input if inside.get(_split(i)[0]) is not None]
            if used:
                raise ValueError(f"Cannot import node '{n.name}' ({n.op}): it uses {used[0]!r} from inside TF1 "
                                 f"while frame {inside[_split(used[0])[0]]!r} other than through an Exit")
            out.append(n)
    return out + stand_ins, loops


def _child_of(frame, level, parent):
    """The child frame of `level` that `frame` is inside, or None when `frame` is `level` itself."""
    if frame == level:
        return None
    while frame is not _ROOT and parent.get(frame, _ROOT) != level:
        frame = parent.get(frame, _ROOT)
    return None if frame is _ROOT else frame


def _lower_frame(frame_name, members, exits, by_name, frame_of, parent, outer_by_name):
    """(TF While stand-in, {Exit name: TF Identity of the While's output}, neuroflow While NodeDef) of a frame."""
    from .graph_io_function import SubGraphDef
    from .operation import NodeDef
    from .tensor_shape import TensorShape
    from .tf_proto_convert import attr_from_tf, shape_from_proto
    frame = _Frame(frame_name, [n for n in members if frame_of.get(n.name) == frame_name], exits, by_name)
    member_names = {n.name for n in members}
    captures = []
    cond = _sub_graph(frame, [_data(frame.loop_cond)[0]], by_name, member_names, captures, frame_of, parent,
                      outer_by_name)
    body = _sub_graph(frame, [_data(n)[0] for n in frame.nexts], by_name, member_names, captures, frame_of,
                      parent, outer_by_name, effects=[c for n in frame.nexts for c in _controls(n)])
    n = len(frame.merges)
    stand_in = _new_node(frame_name, "While", [_data(e)[0] for e in frame.enters] +
                         [_data(frame.invariants[c])[0] for c in captures])
    types = [attr_from_tf(e.attr["T"], f"attribute 'T' of node '{e.name}'") for e in frame.enters]
    stateful = False
    branches = []
    for graph_def, used, outputs in (cond, body):
        positions = list(range(n)) + [n + captures.index(c) for c in used]
        branches.append(SubGraphDef(graph_def, [m.name + ":0" for m in frame.merges] + [c + ":0" for c in used],
                                    positions, outputs))
        stateful = stateful or _is_stateful(graph_def)
    shapes = [shape_from_proto(s) if s is not None else TensorShape(None) for s in frame.shapes]
    attrs = {"T": types, "output_shapes": shapes, "accumulate": [], "cond": branches[0],
             "body": branches[1]}
    converted = NodeDef(frame_name, "While" if stateful else "StatelessWhile", list(stand_in.input), "", attrs)
    exits = {}
    for name, k in frame.exits.items():
        exit_node = by_name[name]
        identity = _new_node(name, "Identity", [f"{frame_name}:{k}"] + _controls(exit_node), exit_node.device)
        identity.attr["T"].CopyFrom(exit_node.attr["T"])
        exits[name] = identity
    return stand_in, exits, converted


def _is_stateful(graph_def):
    from .op_def import registered_opdefs
    opdefs = registered_opdefs()
    return any(node.op == "While" or getattr(opdefs.get(node.op), "stateful", False) for node in graph_def.node)


def _sub_graph(frame, roots, by_name, member_names, captures, frame_of, parent, outer_by_name, effects=()):
    """(neuroflow GraphDef, captures used, output tensor names) of the nodes of `frame` that `roots` need: one
    placeholder per loop variable (named as its Merge), one per invariant used (named as its Enter). `effects`
    (control inputs of the NextIteration nodes: ops run for their effect) become control inputs of the outputs,
    so each iteration runs them."""
    from .graph_io import GraphDef
    from .tf_cond_import import rewrite_conds
    included, used = {}, []
    stack = list(roots) + list(effects)
    while stack:
        name, _, _ = _split(stack.pop())
        if name in frame.var_of or name in frame.switch_var or name in included:
            continue
        if name in frame.invariants:
            variable = _variable_behind(frame.invariants[name], outer_by_name)
            if variable is not None:   # the variable itself, as traced bodies hold it: reads and assigns hit it
                frame.renamed[name] = variable.name
                included[variable.name] = variable
                continue
            if name not in used:
                used.append(name)
            if name not in captures:
                captures.append(name)
            continue
        node = by_name.get(name)
        if node is None or name not in member_names:
            source = outer_by_name.get(name)
            if source is None:
                raise ValueError(f"Cannot import TF1 while frame {frame.name!r}: input '{name}' names no node of "
                                 "the graph")
            if source.op == "Const" and not source.input:
                included[name] = source   # a constant TensorFlow left outside the frame: copied in
                continue
            raise ValueError(f"Cannot import TF1 while frame {frame.name!r}: '{name}' is used inside the loop "
                             "without entering it")
        if node.name == frame.loop_cond.name or node.name in frame.exits:
            raise ValueError(f"Cannot import TF1 while frame {frame.name!r}: '{name}' ({node.op}) is used inside "
                             "the loop")
        included[name] = node
        stack.extend(node.input)
    level = []
    for merge, enter, shape in zip(frame.merges, frame.enters, frame.shapes):
        placeholder = _new_node(merge.name, "Placeholder", [])
        placeholder.attr["dtype"].type = enter.attr["T"].type
        if shape is not None:
            placeholder.attr["shape"].shape.CopyFrom(shape)
        level.append(placeholder)
    for name in used:
        placeholder = _new_node(name, "Placeholder", [])
        placeholder.attr["dtype"].type = frame.invariants[name].attr["T"].type
        level.append(placeholder)
    order = {n.name: k for k, n in enumerate(outer_by_name.values())}
    for node in sorted(included.values(), key=lambda n: order.get(n.name, -1)):
        copy = TFNodeDef()
        copy.CopyFrom(node)
        del copy.input[:]
        copy.input.extend(frame.loop_var_input(i) for i in node.input)
        level.append(copy)
    level, loops = _lower(level, frame.name, frame_of, parent, outer_by_name)
    level = rewrite_conds(level)
    const_sources = dict(outer_by_name)
    const_sources.update({n.name: n for n in level})
    for name in used:   # an invariant's constant value, for inputs neuroflow takes as attributes (axes)
        source = outer_by_name.get(_split(_data(frame.invariants[name])[0])[0])
        if source is not None:
            const_sources[name] = source
    outputs = []
    effects = sorted({frame.loop_var_input(c) for c in effects})
    for k, root in enumerate(roots):
        node, port, _ = _split(frame.loop_var_input(root))
        if effects:   # the output after the iteration's effects
            after = _new_node(f"{frame.name}/after_effects_{k}", "Identity", [f"{node}:{port}"] + effects)
            after.attr["T"].type = frame.enters[k].attr["T"].type
            level.append(after)
            node, port = after.name, 0
        outputs.append(f"{node}:{port}")
    return GraphDef(_convert_level(level, loops, const_sources)), used, outputs


def _variable_behind(enter, by_name):
    """The variable node (reference or resource) an invariant Enter passes into the loop, through outer frames'
    Enters; None for any other value."""
    source = by_name.get(_split(_data(enter)[0])[0]) if _data(enter) else None
    while source is not None and source.op in ("Enter", "RefEnter") and _data(source):
        source = by_name.get(_split(_data(source)[0])[0])
    if source is not None and source.op in ("VariableV2", "Variable", "VarHandleOp"):
        return source
    return None


def while_node(stand_in, loops):
    """The neuroflow While NodeDef of a While stand-in, with the stand-in's inputs as they are now (a cond around
    the loop, rewritten after it, renames the Switch outputs the loop takes)."""
    node = loops[stand_in.name]
    node.input = list(stand_in.input)
    return node


def _convert_level(nodes, loops, by_name):
    from .tf_graph_import import _COMPOSED, _convert_node
    out = []
    for n in nodes:
        if n.name in loops:
            out.append(while_node(n, loops))
        elif n.op in _COMPOSED:
            out.extend(_COMPOSED[n.op](n))
        else:
            out.append(_convert_node(n, by_name))
    return out
