"""theory.md section 5: generic ranks of the partition I | rest (M = 3, r = 2, N = 8).

Numbers copied from ../shared/docs/theory.md (an independent implementation's exact ranks).
"""

COLUMNS = ["01", "0123", "02", "0145", "0246", "04", "012", "1256", "0356"]
WORKED = {
    "worked-T": [2, 1, 4, 4, 16, 4, 2, 16, 16],
    "worked-Tp": [4, 1, 2, 16, 4, 4, 2, 16, 16],
    "worked-Trev": [4, 16, 4, 4, 1, 2, 8, 4, 16],
    "worked-T-plus-Tp": [6, 2, 6, 20, 20, 7, 4, 31, 31],
    "worked-mix2": [6, 2, 6, 34, 34, 9, 6, 49, 49],
    "worked-mix2-sum": [6, 2, 6, 36, 36, 9, 6, 49, 49],
    "worked-T-plus-Trev": [6, 17, 7, 8, 17, 6, 10, 20, 31],
}


def partition_arg(col: str) -> str:
    return ",".join(col)
