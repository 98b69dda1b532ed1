"""Where the scheduler is: --scheduler, else Dask's own setting; Dask is imported only
where it can be configured, so local grading never pays for it. A malformed address is
named before anything connects."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from autograder.cluster import scheduler_address


def _find_in_a_fresh_process(home, **environment) -> list[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("DASK_")}
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from autograder.cluster import scheduler_address "
         "as s; print(s.find(None)); print('dask' in sys.modules)"],
        capture_output=True, text=True, check=True, timeout=120,
        env={**clean, "HOME": str(home), **environment})
    return done.stdout.split()


def test_the_option_wins():
    assert scheduler_address.find("tcp://10.0.0.5:8786") == "tcp://10.0.0.5:8786"


def test_without_any_dask_setting_nothing_is_found_and_dask_is_not_imported(tmp_path):
    assert _find_in_a_fresh_process(tmp_path) == ["None", "False"]


def test_dasks_variable_is_honoured(tmp_path):
    found = _find_in_a_fresh_process(tmp_path, DASK_SCHEDULER_ADDRESS="tcp://127.0.0.1:9999")
    assert found == ["tcp://127.0.0.1:9999", "True"]


def test_dasks_configuration_file_is_honoured(tmp_path):
    (tmp_path / ".config" / "dask").mkdir(parents=True)
    (tmp_path / ".config" / "dask" / "grading.yaml").write_text(
        "scheduler-address: tcp://10.1.2.3:8786\n")
    assert _find_in_a_fresh_process(tmp_path)[0] == "tcp://10.1.2.3:8786"


@pytest.mark.parametrize("address, said", [
    ("foo", "missing port number"),
    ("tcp://", "missing port number"),
    ("http://scheduler:8786", "unknown protocol 'http'"),
    ("tcp://scheduler:99999", "port 99999 is not between 1 and 65535"),
])
def test_a_malformed_address_is_named(address, said):
    with pytest.raises(scheduler_address.AddressError) as refused:
        scheduler_address.checked(address)
    assert f"not a scheduler address {address!r}" in str(refused.value)
    assert said in str(refused.value)


@pytest.mark.parametrize("address", ["tcp://10.0.0.5:8786", "tls://grader1:8786",
                                     "tcp://[::1]:8786"])
def test_a_scheduler_address_passes(address):
    assert scheduler_address.checked(address) == address


@pytest.mark.parametrize("option, environment, where", [
    (["--scheduler", "tcp://h:99999"], {}, "--scheduler: "),
    ([], {"DASK_SCHEDULER_ADDRESS": "tcp://h:99999"}, "DASK_SCHEDULER_ADDRESS"),
])
def test_grade_names_a_malformed_address_and_where_it_came_from(tmp_path, option,
                                                                environment, where):
    (tmp_path / "subs").mkdir()
    clean = {key: value for key, value in os.environ.items() if not key.startswith("DASK_")}
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", "tensors", str(tmp_path / "subs"),
         "--out", str(tmp_path / "out"), *option],
        capture_output=True, text=True, timeout=120, env={**clean, **environment})
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("autograder: error: ") and where in line
    assert "port 99999 is not between 1 and 65535" in line
    assert not (tmp_path / "out").exists()
