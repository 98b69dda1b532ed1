"""Where the scheduler is: --scheduler, else Dask's own setting; Dask is imported only
where it can be configured, so local grading never pays for it."""

from __future__ import annotations

import os
import subprocess
import sys

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
