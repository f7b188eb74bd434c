package dev.lockmanager.lock.benchmark;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The few statistics the report uses: medians, percentiles of sorted latencies, and microsecond formatting. */
public final class Stats {

	private Stats() {
	}

	static double median(double[] values) {
		if (values.length == 0) {
			return Double.NaN;
		}
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		int n = sorted.length;
		return (n % 2 == 1) ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
	}

	static double median(List<Double> values) {
		return median(values.stream().mapToDouble(Double::doubleValue).toArray());
	}

	/** The nearest-rank percentile {@code p} (0..1) of ascending values. */
	public static double percentile(long[] sorted, double p) {
		if (sorted.length == 0) {
			return Double.NaN;
		}
		int index = (int) Math.ceil(p * sorted.length) - 1;
		return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
	}

	/** Nanoseconds as microseconds with one decimal. */
	public static String micros(double nanos) {
		return String.format(Locale.ROOT, "%.1f", nanos / 1000);
	}

}
