"""tf.app.flags / tf.flags and tf.app.run: absl's parsing rules and messages (which TensorFlow 1.x wraps; absl-py,
when installed, is the independent reference), TF's implicit parse on first read, and tf.app.run's exit codes."""
import subprocess
import sys
import textwrap

import pytest

import neuroflow as tf

flags = tf.flags


@pytest.fixture
def fv():
    values = flags.FlagValues()
    flags.DEFINE_string("name", "world", "Who to greet.", flag_values=values)
    flags.DEFINE_integer("n", 3, "How many.", flag_values=values)
    flags.DEFINE_integer("k", 3, "Non-negative.", lower_bound=0, flag_values=values)
    flags.DEFINE_float("lr", 0.1, "Learning rate.", flag_values=values)
    flags.DEFINE_boolean("fake", False, "Use fake data.", flag_values=values)
    flags.DEFINE_bool("verbose", True, "Talk.", flag_values=values)
    flags.DEFINE_list("names", "x,y", "Names.", flag_values=values)
    flags.DEFINE_enum("mode", "train", ["train", "eval"], "Mode.", flag_values=values)
    return values


def test_defaults_and_parsed_values(fv):
    rest = fv(["prog", "a", "--name=you", "--n", "5", "b", "--lr=0.5", "--fake", "--noverbose", "--names=q,r",
               "--mode=eval", "--", "--k=9"])
    assert rest == ["prog", "a", "b", "--k=9"]  # positionals anywhere; "--" ends the flags
    assert (fv.name, fv.n, fv.k, fv.lr, fv.fake, fv.verbose, fv.names, fv.mode) == \
        ("you", 5, 3, 0.5, True, False, ["q", "r"], "eval")
    fv.unparse_flags()
    fv(["prog", "--fake=false", "--verbose=1", "-n=0x10"])
    assert (fv.fake, fv.verbose, fv.n, fv.names) == (False, True, 16, ["x", "y"])
    assert fv.flag_values_dict()["mode"] == "train"


@pytest.mark.parametrize("argv, error, message", [
    (["--n=abc"], flags.IllegalFlagValueError, "flag --n=abc: invalid literal for int() with base 10: 'abc'"),
    (["--lr=x"], flags.IllegalFlagValueError, "flag --lr=x: could not convert string to float: 'x'"),
    (["--fake=maybe"], flags.IllegalFlagValueError,
     "flag --fake=maybe: ('Non-boolean argument to boolean flag', 'maybe')"),
    (["--mode=test"], flags.IllegalFlagValueError, "flag --mode=test: value should be one of <train|eval>"),
    (["--k=-1"], flags.IllegalFlagValueError, "flag --k=-1: -1 is not a non-negative integer"),
    (["--zz=1"], flags.UnrecognizedFlagError, "Unknown command line flag 'zz'"),
    (["--fak"], flags.UnrecognizedFlagError, "Unknown command line flag 'fak'. Did you mean: fake ?"),
    (["--non=2"], flags.UnrecognizedFlagError, "Unknown command line flag 'non'"),
    (["--n"], flags.Error, "Missing value for flag --n"),
    (["--nofake=1"], ValueError, "--nofake=1 does not take an argument"),
])
def test_misuse_raises_absls_errors_and_messages(fv, argv, error, message):
    with pytest.raises(error) as info:
        fv(["prog"] + argv)
    assert str(info.value) == message


def test_the_messages_are_absls_where_absl_is_installed(fv):
    absl_flags = pytest.importorskip("absl.flags")
    ref = absl_flags.FlagValues()
    absl_flags.DEFINE_integer("n", 3, "How many.", flag_values=ref)
    absl_flags.DEFINE_boolean("fake", False, "Use fake data.", flag_values=ref)
    absl_flags.DEFINE_enum("mode", "train", ["train", "eval"], "Mode.", flag_values=ref)
    for argv in (["--n=abc"], ["--zz=1"], ["--fak"], ["--fake=maybe"], ["--mode=x"], ["--n=-0x10"]):
        errors = []
        for values in (fv, ref):
            values.unparse_flags()
            with pytest.raises(Exception) as info:
                values(["prog"] + argv)
            errors.append((type(info.value).__name__, str(info.value)))
        assert errors[0] == errors[1]
    ref.unparse_flags()
    fv.unparse_flags()
    argv = ["prog", "--zz=1", "-n=7", "--nofake", "pos", "--", "x"]
    assert fv(argv, known_only=True) == ref(argv, known_only=True)
    for text in ("0x10", "0o17", "017", " 5", "1_000"):  # absl's integer prefixes and Python's int() otherwise
        values = []
        for flag_values in (fv, ref):
            flag_values.unparse_flags()
            flag_values(["prog", f"--n={text}"])
            values.append(flag_values.n)
        assert values[0] == values[1], text


def test_reading_before_parsing_and_redefining(fv):
    with pytest.raises(flags.UnparsedFlagAccessError, match="Trying to access flag --n before flags were parsed."):
        fv.n
    with pytest.raises(AttributeError):
        fv.undefined
    with pytest.raises(flags.DuplicateFlagError, match="The flag 'n' is defined twice"):
        flags.DEFINE_integer("n", 1, "again", flag_values=fv)
    del fv.n
    assert "n" not in fv


def test_tf_flags_is_tf_app_flags_and_FLAGS_parses_sys_argv_on_first_read(monkeypatch):
    assert tf.app.flags is tf.flags
    name = "test_app_flags_implicit_parse"
    tf.flags.DEFINE_integer(name, 1, "read before any parse")
    try:
        monkeypatch.setattr(sys, "argv", ["prog", f"--{name}=7"])
        tf.flags.FLAGS.unparse_flags()
        assert getattr(tf.flags.FLAGS, name) == 7 and tf.flags.FLAGS.is_parsed()
        tf.flags.FLAGS.unparse_flags()
        monkeypatch.setattr(sys, "argv", ["prog", "-f", "kernel.json"])  # what Jupyter passes: TF raises too
        with pytest.raises(tf.flags.UnrecognizedFlagError, match="Unknown command line flag 'f'"):
            getattr(tf.flags.FLAGS, name)
    finally:
        delattr(tf.flags.FLAGS, name)
        tf.flags.FLAGS.unparse_flags()


def test_required_flags_and_validators(fv):
    flags.DEFINE_string("data_dir", None, "Where the data is.", flag_values=fv)
    flags.mark_flag_as_required("data_dir", flag_values=fv)
    with pytest.raises(flags.IllegalFlagValueError,
                       match=r"flag --data_dir=None: Flag --data_dir must have a value other than None\."):
        fv(["prog"])
    assert fv(["prog", "--data_dir=/d"]) == ["prog"] and fv.data_dir == "/d"


def _run_script(tmp_path, body, *args):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(body))
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, timeout=120)


SCRIPT = '''\
    """Prints its flags."""
    import neuroflow as tf
    tf.app.flags.DEFINE_integer("steps", 10, "Training steps.")
    tf.app.flags.DEFINE_boolean("fast", False, "Go fast.")
    FLAGS = tf.app.flags.FLAGS

    def main(argv):
        print(FLAGS.steps, FLAGS.fast, argv[1:])
        return 3 if FLAGS.fast else None

    if __name__ == "__main__":
        tf.app.run()
'''


def test_app_run_parses_calls_main_with_the_rest_and_exits_with_its_result(tmp_path):
    done = _run_script(tmp_path, SCRIPT, "--steps=5", "pos", "--unknown=1")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "5 False ['pos', '--unknown=1']\n"  # unknown flags reach main, as with TF's run
    done = _run_script(tmp_path, SCRIPT, "--fast")
    assert (done.returncode, done.stdout) == (3, "10 True []\n")


def test_app_run_reports_a_bad_value_and_exits_1(tmp_path):
    done = _run_script(tmp_path, SCRIPT, "--steps=many")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == ("FATAL Flags parsing error: flag --steps=many: invalid literal for int() with base 10: "
                           "'many'\nPass --helpshort or --helpfull to see help on flags.\n")


def test_app_run_help_lists_the_flags_and_exits_0(tmp_path):
    done = _run_script(tmp_path, SCRIPT, "--help")
    assert done.returncode == 0
    assert done.stdout.startswith("Prints its flags.\nTry --helpfull to get a list of all flags.\n")
    assert ("  --[no]fast: Go fast.\n    (default: 'false')\n  --steps: Training steps.\n    (default: '10')\n"
            "    (an integer)\n") in done.stdout


def test_multi_flags_collect_every_value_as_absl_does():
    values = flags.FlagValues()
    flags.DEFINE_multi_string("tag", ["x"], "Tags.", flag_values=values)
    flags.DEFINE_multi_integer("n", None, "Numbers.", flag_values=values)
    assert values(["p", "--tag=a", "--tag", "b", "--n=1", "--n=2"]) == ["p"]
    assert (values.tag, values.n) == (["a", "b"], [1, 2])
    values.unparse_flags()
    values(["p"])
    assert (values.tag, values.n) == (["x"], None)
    values.unparse_flags()
    with pytest.raises(flags.IllegalFlagValueError, match="flag --n=z: invalid literal for int"):
        values(["p", "--n=z"])
    assert ('  --tag: Tags.;\n    repeat this option to specify a list of values\n    (default: "[\'x\']")'
            in values.module_help(__name__))
