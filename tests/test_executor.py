"""How a run's per-file stage is run on one machine: a few files at a time, heaviest first, never
heavier together than ``TOGETHER`` times the heaviest file alone (``pipeline.executor.Admission``)."""

import threading
import time

import pytest

from pipeline.executor import TOGETHER, Admission, LocalExecutor


def _simulate(weights: list[float], slots: int) -> list[list[int]]:
    """What runs at once as ``Admission`` admits and the longest-running item (the first started)
    ends each time."""
    admission, running, seen = Admission(weights, slots), [], []
    while admission:
        running += admission.start()
        seen.append(list(running))
        admission.done(running.pop(0))
    return seen


def test_admission_starts_each_item_once_within_the_slots_and_the_budget():
    weights = [227, 8, 124, 84, 37, 30, 22, 0, 16, 4, 4]
    for slots in (1, 2, 3, 8):
        together = _simulate(weights, slots)
        started = [i for i in dict.fromkeys(i for now in together for i in now)]
        assert sorted(started) == list(range(len(weights)))
        assert all(len(now) <= slots for now in together)
        assert all(sum(weights[i] for i in now) <= TOGETHER * max(weights) for now in together)
    # the heaviest first with a small file beside it; the next heaviest as soon as it fits
    assert _simulate([227, 124, 84, 37, 30], 2) == [[0, 3], [3, 1], [1, 2], [2, 4], [4]]
    # an item heavier than any room still starts, alone, when nothing runs
    assert _simulate([5, 5, 5], 3) == [[0], [1], [2]]
    assert not Admission([], 2)


def test_local_map_with_weights_reads_the_small_files_beside_the_heaviest_in_order_of_the_items():
    """Results come back in the items' order; a small item really runs beside the heaviest (they
    meet at a barrier), and the weight running at once stays within the budget."""
    weights = [8, 1, 1, 6, 2]
    meet = threading.Barrier(2, timeout=30)
    lock, running, most = threading.Lock(), [0], [0]

    def work(item):
        i, w = item
        with lock:
            running[0] += w
            most[0] = max(most[0], running[0])
        if i in (0, 4):
            meet.wait()  # the heaviest waits for the first small file to run beside it
        time.sleep(0.01)
        with lock:
            running[0] -= w
        return i * 10

    items = list(enumerate(weights))
    assert LocalExecutor(slots=2).map("读取与校验", work, items, weights=weights) == [0, 10, 20, 30, 40]
    assert max(weights) < most[0] <= TOGETHER * max(weights)


def test_local_map_without_weights_or_with_one_slot_runs_one_item_at_a_time():
    lock, running, most = threading.Lock(), [0], [0]

    def work(item):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.005)
        with lock:
            running[0] -= 1
        return item

    assert LocalExecutor(slots=4).map("x", work, [1, 2, 3]) == [1, 2, 3]
    assert LocalExecutor(slots=1).map("x", work, [1, 2, 3], weights=[1, 1, 1]) == [1, 2, 3]
    assert most[0] == 1


def test_an_error_in_one_file_is_raised_not_lost():
    def work(item):
        if item == 2:
            raise ValueError("第 2 个文件")
        return item

    with pytest.raises(ValueError, match="第 2 个文件"):
        LocalExecutor(slots=2).map("x", work, [1, 2, 3], weights=[1, 1, 1])


def test_a_workbook_weighs_what_its_sheets_unpack_to(tmp_path):
    from openpyxl import Workbook

    from pipeline.ingest import weight

    wb = Workbook()
    for i in range(2000):
        wb.active.append(["张三", f"53038119700101{i:04d}", "城关镇", 600.0])
    wb.save(tmp_path / "低保.xlsx")
    (tmp_path / "低保.csv").write_bytes(b"a,b\n1,2\n")
    packed = (tmp_path / "低保.xlsx").stat().st_size
    assert weight(tmp_path / "低保.xlsx") > 3 * packed  # the sheet's XML, not the zip
    assert weight(tmp_path / "低保.csv") == 8
