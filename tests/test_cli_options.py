"""`sepgap bound` options that silently did nothing or printed raw errors (issue 12, items 8, 9)."""
import os

import pytest

import sdp
from cli_helpers import run_cli  # noqa: E402
from experiments.cmd_bound import write_json_atomic

STATE = ["1/2", "1/4", "1/4"]


def one_line(code, out, err, pattern):
    assert code == 2, (code, out, err)
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sepgap: error: "), err
    assert pattern in lines[0], lines[0]
    assert "Errno" not in err and ".tmp" not in err


@pytest.mark.parametrize("extra, pattern", [
    (["--no-sdp", "--save-cert", "{d}/c.json"], "--save-cert/--certify need the SDP bound"),
    (["--no-sdp", "--certify"], "--save-cert/--certify need the SDP bound"),
    (["--save-cert", ""], "--save-cert: empty file name"),
    (["--save-lower-cert", ""], "--save-lower-cert: empty file name"),
    (["--save-cert", "{d}/c.json", "--save-lower-cert", "{d}/./c.json"],
     "--save-cert and --save-lower-cert name the same file"),
    (["--save-cert", "{d}"], "is a directory (give a file name)"),
    (["--save-lower-cert", "{d}"], "is a directory (give a file name)"),
    (["--save-cert", "{d}/no/such/c.json"], "does not exist"),
    (["--solver", "SCS", "--solver-option", "max_iters=-5"], "max_iters must be positive"),
    (["--solver-option", "max_iters=100"], "bad Clarabel option"),
])
def test_refused_in_one_line_before_anything_is_written(tmp_path, extra, pattern):
    argv = ["bound", *STATE] + [a.format(d=tmp_path) for a in extra]
    code, out, err = run_cli(argv)
    one_line(code, out, err, pattern)
    assert os.listdir(tmp_path) == []


def test_negative_infinity_reads_as_a_number():
    """'-inf' used to read as an option, giving "the following arguments are required"."""
    for bad in ("-inf", "-nan", "-Infinity"):
        code, out, err = run_cli(["bound", bad, "1/4", "1/4", "--no-sdp"])
        one_line(code, out, err, f"XA: not a number: '{bad}'")
    code, out, err = run_cli(["bound", "1/4", "1/4", "1/4", "--x0", "-inf", "--no-sdp"])
    one_line(code, out, err, "x0: not a number: '-inf'")


def test_huge_numbers_are_named_and_not_echoed():
    code, out, err = run_cli(["bound", "1e-" + "9" * 5000, "1/4", "1/4", "--no-sdp"])
    one_line(code, out, err, "XA: ")
    code, out, err = run_cli(["bound", "1" * 100000, "1/4", "1/4", "--no-sdp"])
    one_line(code, out, err, "XA: ")
    assert len(err) < 300


def test_save_cert_writes_and_cleans_stale_temporary_files(tmp_path):
    stale = tmp_path / ".c.json.k1ll3d.tmp"
    stale.write_text("{half")
    code, out, err = run_cli(["bound", *STATE, "--save-cert", str(tmp_path / "c.json"),
                              "--save-lower-cert", str(tmp_path / "g.json")])
    assert code == 0, err
    assert sorted(os.listdir(tmp_path)) == ["c.json", "g.json"]
    assert sdp.verify_file(tmp_path / "c.json").valid


def test_write_json_atomic_errors_name_the_path(tmp_path):
    from analytics.errors import SepgapError
    with pytest.raises(SepgapError, match="is a directory"):
        write_json_atomic(tmp_path, {})
    with pytest.raises(SepgapError, match="empty file name"):
        write_json_atomic("", {})
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        if os.access(ro, os.W_OK):  # running as root: permissions are not enforced
            pytest.skip("cannot make a read-only folder here")
        with pytest.raises(SepgapError, match=r"cannot write .*ro/c\.json: Permission denied"):
            write_json_atomic(ro / "c.json", {})
    finally:
        ro.chmod(0o700)
