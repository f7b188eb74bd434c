package dev.lockmanager.lock.benchmark.contention;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

import dev.lockmanager.lock.benchmark.Report;

/**
 * Prints one cell: the implementations side by side, with throughput ratios to Redisson and to Spring Integration's
 * SPIN_LOCK (the libraries users weigh the starter against), then the starter's ratios on latency too.
 */
final class CellTable {

	private static final String ROW = "%-32s %8s %10s %9s | %7s %7s %8s | %7s %7s %8s | %6s %6s %-12s %5s | %8s %5s %4s";

	private CellTable() {
	}

	static void printLegend(Report report) {
		report.print("ops/s = acquisitions returned inside the measured windows / their length; x Redisson, x SI spin "
				+ "= the row's ops/s divided by Redisson's, by SI SPIN_LOCK's in the same cell");
		report.print("acq = acquire latency (call to return), a+r = acquire + release latency (critical section "
				+ "excluded), in ms, of the acquisitions started inside the windows");
		report.print("local % = handoffs to a holder of the same instance (or process) as the previous holder, cross = "
				+ "handoffs to another; shares % = each instance's acquisitions; Jain = (sum x)^2 / (n sum x^2)");
		report.print("overlaps = in-process holder check / sorted hold intervals (must be 0/0); fence = fencing token "
				+ "regressions (must be 0; n/a: the library issues none); t/o = wait timeouts (wait time "
				+ SliceRunner.WAIT_TIME.toSeconds() + "s, ttl " + HotKeyLock.TTL.toSeconds() + "s)");
	}

	static void print(Report report, String title, Map<Implementation, CellMetrics> rows) {
		report.print("");
		report.print(title);
		String header = String.format(Locale.ROOT, ROW, "implementation", "ops/s", "x Redisson", "x SI spin", "acq p50",
				"acq p99", "acq max", "a+r p50", "a+r p99", "a+r max", "local%", "cross", "shares %", "Jain",
				"overlaps", "fence", "t/o");
		report.print(header);
		report.print("-".repeat(header.length()));
		CellMetrics redisson = rows.get(Implementation.REDISSON);
		CellMetrics spin = rows.get(Implementation.SI_SPIN);
		rows.forEach((implementation, m) -> report.printf(ROW, implementation.label,
				String.format(Locale.ROOT, "%.0f", m.opsPerSecond()), ratio(m, redisson, CellMetrics::opsPerSecond),
				ratio(m, spin, CellMetrics::opsPerSecond), millis(m.acquire(0.5)), millis(m.acquire(0.99)),
				millis(m.acquire(1)), millis(m.acquireAndRelease(0.5)), millis(m.acquireAndRelease(0.99)),
				millis(m.acquireAndRelease(1)), String.format(Locale.ROOT, "%.1f", m.localHandoffPercent()),
				m.crossHandoffs, shares(m), String.format(Locale.ROOT, "%.3f", m.jain()),
				m.holderOverlaps + "/" + m.intervalOverlaps, m.fencing ? m.fencingRegressions : "n/a", m.timeouts));
		if (rows.containsKey(Implementation.STARTER)) {
			report.print(starterComparison(rows));
		}
	}

	/** The starter's throughput and acquire latency over Redisson's and SI SPIN_LOCK's in the same cell. */
	static String starterComparison(Map<Implementation, CellMetrics> rows) {
		CellMetrics starter = rows.get(Implementation.STARTER);
		return "starter " + comparison(starter, rows.get(Implementation.REDISSON), "Redisson") + "; "
				+ comparison(starter, rows.get(Implementation.SI_SPIN), "SI SPIN_LOCK");
	}

	private static String comparison(CellMetrics starter, CellMetrics other, String name) {
		if (other == null) {
			return "vs " + name + ": not run";
		}
		return "vs " + name + " ops/s " + ratio(starter, other, CellMetrics::opsPerSecond) + ", acquire p50 "
				+ ratio(starter, other, m -> m.acquire(0.5)) + ", p99 " + ratio(starter, other, m -> m.acquire(0.99))
				+ ", max " + ratio(starter, other, m -> m.acquire(1));
	}

	private static String ratio(CellMetrics row, CellMetrics base, ToDoubleFunction<CellMetrics> value) {
		if (base == null || value.applyAsDouble(base) == 0) {
			return "-";
		}
		return String.format(Locale.ROOT, "%.2fx", value.applyAsDouble(row) / value.applyAsDouble(base));
	}

	private static String millis(double nanos) {
		return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
	}

	private static String shares(CellMetrics m) {
		return Arrays.stream(m.sharesPercent())
			.mapToObj(share -> String.format(Locale.ROOT, "%.0f", share))
			.collect(Collectors.joining("/"));
	}

}
