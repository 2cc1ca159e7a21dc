"""How a run's per-file stage is run on one machine: a few files at a time, never heavier together
than the heaviest file alone (``pipeline.executor.waves``)."""

import threading
import time

import pytest

from pipeline.executor import LocalExecutor, waves


def test_waves_hold_each_item_once_within_the_slots_and_the_heaviest_weight():
    weights = [227, 8, 124, 84, 37, 30, 22, 0, 16, 4, 4]
    for slots in (1, 2, 3, 8):
        groups = waves(weights, slots)
        assert sorted(i for g in groups for i in g) == list(range(len(weights)))
        assert all(len(g) <= slots for g in groups)
        assert all(sum(weights[i] for i in g) <= max(weights) for g in groups)
    # the heaviest alone first (only the weightless may join it), then the heaviest that fit together
    assert waves([227, 124, 84, 37, 30], 2) == [[0], [1, 2], [3, 4]]
    assert waves([5, 5, 5], 3) == [[0], [1], [2]]
    assert waves([], 2) == []


def test_local_map_with_weights_runs_files_together_in_order_of_the_items():
    """Results come back in the items' order; items of one wave really run at the same time (they
    meet at a barrier), and the weight running at once never exceeds the heaviest item's."""
    weights = [4, 1, 1, 2, 2]
    meet = threading.Barrier(2, timeout=30)
    lock, running, most = threading.Lock(), [0], [0]

    def work(item):
        i, w = item
        with lock:
            running[0] += w
            most[0] = max(most[0], running[0])
        if w < max(weights):
            meet.wait()  # its wave's partner must be running too
        time.sleep(0.01)
        with lock:
            running[0] -= w
        return i * 10

    items = list(enumerate(weights))
    assert LocalExecutor(slots=2).map("读取与校验", work, items, weights=weights) == [0, 10, 20, 30, 40]
    assert most[0] == max(weights)


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
