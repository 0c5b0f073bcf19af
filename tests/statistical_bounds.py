"""Tolerances for statistical checks, from the sample size: six standard errors, so that a correct random op fails
about once in 10^9 runs while a wrong rate or scale of a few percent does not pass."""
import math

STANDARD_ERRORS = 6


def frequency_tolerance(n, p):
    """How far the fraction of n independent draws with probability p may stray from p."""
    return STANDARD_ERRORS * math.sqrt(p * (1 - p) / n)


def std_tolerance(n, kurtosis):
    """How far a sample standard deviation from n draws may stray, relative to the true one: its standard error
    is sqrt((kurtosis - 1) / (4 n)) (kurtosis 1.8 for a uniform, 3 for a normal, less for a truncated normal)."""
    return STANDARD_ERRORS * math.sqrt((kurtosis - 1) / (4 * n))
