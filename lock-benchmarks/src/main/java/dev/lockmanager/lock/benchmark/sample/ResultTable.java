package dev.lockmanager.lock.benchmark.sample;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import dev.lockmanager.lock.benchmark.Report;

/**
 * Prints one row per run as it ends, then the medians and spread per instance count and the ratio that matters:
 * two instances' orders/s over one instance's, paired round by round, as both ran within the same minute or two.
 */
final class ResultTable {

	/** The project's target: two instances together keep at least this share of one instance's orders/s. */
	private static final double TARGET_RATIO = 0.95;

	/**
	 * Share of the machine's cores that other programs may use during a measured window before the report calls the
	 * numbers disturbed: the service alone keeps every core busy, so whatever else runs takes CPU from it.
	 */
	private static final double QUIET_SHARE = 0.1;

	private final Report report;

	ResultTable(Report report) {
		this.report = report;
	}

	void printHeader() {
		this.report.print("round inst  orders/s  per instance    per second  p50 ms  p99 ms  "
				+ "CPU cores: sample redis    db driver other  sample CPU ms/order  refused");
	}

	void printRow(SampleRun run) {
		LoadResult load = run.load();
		ProcessCpu.Usage cpu = load.cpu();
		String perInstance = Arrays.stream(load.perInstance())
			.mapToObj(rate -> String.format(Locale.ROOT, "%.1f", rate))
			.collect(Collectors.joining(" + "));
		double seconds = load.seconds();
		this.report.printf("%5d %4d %9.1f  %-14s %5d-%-5d %7.1f %7.1f  %17.2f %5.2f %5.2f %6.2f %5.2f  %19.2f  %7d",
				run.round(), run.instances(), load.ordersPerSecond(), perInstance, load.slowestSecond(),
				load.fastestSecond(), load.p50Millis(), load.p99Millis(), cpu.instances() / seconds,
				cpu.redis() / seconds, cpu.database() / seconds, cpu.driver() / seconds, cpu.others() / seconds,
				1000 * cpu.instances() / load.windowOrders(),
				load.refusals().values().stream().mapToLong(Long::longValue).sum());
		this.report.print("        books: " + run.verdict());
		for (Map.Entry<String, Long> refusal : load.refusals().entrySet()) {
			this.report.printf("        refused: %d x %s, first: %s", refusal.getValue(), refusal.getKey(),
					load.firstRefusal().get(refusal.getKey()));
		}
	}

	void printSummary(List<SampleRun> runs) {
		double[] one = ordersPerSecond(runs, 1);
		double[] two = ordersPerSecond(runs, 2);
		double[] ratios = new double[Math.min(one.length, two.length)];
		Arrays.setAll(ratios, round -> two[round] / one[round]);
		this.report.print("");
		if (ratios.length == 0) {
			this.report.print("No round completed both runs: no ratio.");
			return;
		}
		this.report.printf("orders/s over %d rounds    median     min     max", ratios.length);
		this.report.printf("  one instance           %9.1f %7.1f %7.1f", median(one), min(one), max(one));
		this.report.printf("  two instances          %9.1f %7.1f %7.1f", median(two), min(two), max(two));
		this.report.print("  two / one, round by round: " + Arrays.stream(ratios)
			.mapToObj(ratio -> String.format(Locale.ROOT, "%.3f", ratio))
			.collect(Collectors.joining("  ")) + String.format(Locale.ROOT, "  (ratio of the medians: %.3f)",
					median(two) / median(one)));
		printInterference(runs);
		double ratio = median(ratios);
		this.report.printf("two instances / one instance = %.1f%% of the orders/s (median of the per-round ratios;"
				+ " target >= %.0f%%: %s)", 100 * ratio, 100 * TARGET_RATIO,
				(ratio >= TARGET_RATIO) ? "met" : "NOT met");
	}

	private void printInterference(List<SampleRun> runs) {
		int cores = Runtime.getRuntime().availableProcessors();
		double busiest = runs.stream()
			.mapToDouble(run -> run.load().cpu().others() / run.load().seconds())
			.max()
			.orElse(Double.NaN);
		this.report.printf("  other programs used up to %.2f of the %d cores during a measured window%s", busiest,
				cores, (busiest > QUIET_SHARE * cores) ? ": DISTURBED, compare runs on a quiet machine only" : "");
	}

	/** One value per round, in round order. */
	private static double[] ordersPerSecond(List<SampleRun> runs, int instances) {
		return runs.stream()
			.filter(run -> run.instances() == instances)
			.mapToDouble(run -> run.load().ordersPerSecond())
			.toArray();
	}

	private static double median(double[] values) {
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		int middle = sorted.length / 2;
		return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
	}

	private static double min(double[] values) {
		return Arrays.stream(values).min().orElse(Double.NaN);
	}

	private static double max(double[] values) {
		return Arrays.stream(values).max().orElse(Double.NaN);
	}

}
