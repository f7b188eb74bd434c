package dev.lockmanager.lock.benchmark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's tables and conclusions drawn from the measured scenarios: the latency table, CPU per operation,
 * where LockManager's extra p50 goes, what the annotation adds, and the headline lines that end the report.
 */
final class ResultTables {

	private static final double TARGET_RATIO = 1.15;

	private static final double TARGET_ANNOTATION_MICROS = 10;

	private final Report report;

	private final Scenarios scenarios;

	/** Table numbers of the scenarios, from 1. */
	private final Map<Scenario, Integer> numbers = new LinkedHashMap<>();

	ResultTables(Report report, Scenarios scenarios) {
		this.report = report;
		this.scenarios = scenarios;
		for (Scenario scenario : scenarios.all()) {
			this.numbers.put(scenario, this.numbers.size() + 1);
		}
	}

	void printTable() {
		String header = String.format(Locale.ROOT, "%-3s %-62s %7s %9s %8s %8s %8s %8s %8s  %s", "#", "scenario",
				"threads", "ops", "ops/s", "p50 us", "p90 us", "p99 us", "p99.9 us", "p50 / floor");
		this.report.print(header);
		this.report.print("-".repeat(header.length()));
		for (Scenario scenario : this.scenarios.all()) {
			long[] sorted = scenario.samples.sorted();
			String ratio = (scenario.baseline == null) ? "floor"
					: String.format(Locale.ROOT, "%.2fx (vs #%d)", scenario.ratioTo(scenario.baseline),
							this.numbers.get(scenario.baseline));
			this.report.printf("%-3d %-62s %7d %9d %8.0f %8s %8s %8s %8s  %s", this.numbers.get(scenario),
					scenario.name, scenario.threads, sorted.length, scenario.throughput(),
					Stats.micros(scenario.p50()), Stats.micros(Stats.percentile(sorted, 0.90)),
					Stats.micros(Stats.percentile(sorted, 0.99)), Stats.micros(Stats.percentile(sorted, 0.999)),
					ratio);
		}
		this.report.print("latency = one acquire + one release. p50 = median of the per-round p50s (the hot key runs "
				+ "once); p90..p99.9 over all samples.");
		this.report.print("p50 / floor = median, over blocks (1 thread) or rounds (threads) that ran side by side, of "
				+ "the row's p50 divided by its baseline's p50 in the same block or round.");
		this.report.print("ops/s: 1 thread = 1 / mean latency (the scenarios share the wall clock); threads = ops / "
				+ "wall time.");
	}

	void printThroughput(int threads) {
		Scenario manager = this.scenarios.managerThreads;
		Scenario floor = this.scenarios.floorThreads;
		this.report.printf("throughput with %d threads on distinct keys: LockManager %.0f ops/s = %.0f%% of the raw "
				+ "floor's %.0f ops/s", threads, manager.throughput(), 100 * manager.throughput() / floor.throughput(),
				floor.throughput());
	}

	/** CPU per operation of the single-threaded scenarios, from their measured blocks. */
	void printCosts() {
		this.report.print("");
		this.report.print("CPU per op, 1 thread (summed over the measured blocks):");
		this.report.printf("  %-62s %9s %9s %9s %9s", "scenario", "caller us", "JVM us", "redis us", "alloc B");
		for (Scenario scenario : this.scenarios.single()) {
			Scenario.Costs costs = scenario.costs;
			this.report.printf("  %-62s %9.1f %9.1f %9.1f %9d", scenario.name, costs.threadCpuNanos / 1e3 / costs.ops,
					costs.processCpuNanos / 1e3 / costs.ops, costs.redisCpuSeconds * 1e6 / costs.ops,
					costs.allocatedBytes / costs.ops);
		}
		this.report.print("  caller = CPU of the calling thread; JVM = CPU of the benchmark JVM (all threads: Lettuce "
				+ "event loops, GC, JIT); redis = CPU of redis-server (INFO cpu); alloc = bytes allocated by the "
				+ "calling thread");
	}

	/** Splits LockManager's extra p50 over the raw floor into the layers the diagnostic scenarios add one by one. */
	void printBreakdown() {
		Scenarios s = this.scenarios;
		this.report.print("");
		this.report.printf("where LockManager's extra p50 goes, 1 thread (p50 differences, noisy at the microsecond "
				+ "level; medians of paired per-block differences): %+.1f us over the raw floor's %.1f us",
				s.lockManager.minus(s.floor) / 1e3, s.floor.p50() / 1e3);
		layer("engine Lua scripts instead of SET NX + CAD", s.engineLettuce, s.floor);
		layer("StringRedisTemplate instead of Lettuce, engine scripts", s.engineTemplate, s.engineLettuce);
		layer("StringRedisTemplate instead of Lettuce, raw-floor commands", s.floorTemplate, s.floor);
		layer("the engine's Java code: token, keys, lease, renewal", s.lockManager, s.engineTemplate);
	}

	/** The annotated method against the same LockManager call made directly, in the same blocks. */
	void printAnnotation() {
		Scenario direct = this.scenarios.direct;
		Scenario annotated = this.scenarios.annotated;
		this.report.print("");
		this.report.printf("what @DistributedLock adds over calling LockManager directly, 1 thread (median of the %d "
				+ "paired per-block p50 differences, same acquire(LockRequest) call):", annotated.pairs());
		layer("@DistributedLock proxy instead of the direct call", annotated, direct);
		this.report.print("  per-round p50 (us): direct " + micros(direct.roundP50s) + ", @DistributedLock "
				+ micros(annotated.roundP50s));
		this.report.printf("  CPU per op of the calling thread %+.1f us, bytes allocated %+d (from the CPU table)",
				(annotated.costs.threadCpuNanos / (double) annotated.costs.ops
						- direct.costs.threadCpuNanos / (double) direct.costs.ops) / 1e3,
				annotated.costs.allocatedBytes / annotated.costs.ops - direct.costs.allocatedBytes / direct.costs.ops);
	}

	/** The numbers that matter, last: LockManager over the raw floor, and the annotation over LockManager. */
	void printHeadlines(int block) {
		Scenario floor = this.scenarios.floor;
		Scenario manager = this.scenarios.lockManager;
		this.report.print("");
		List<String> roundRatios = new ArrayList<>();
		for (int r = 0; r < floor.roundP50s.size(); r++) {
			roundRatios.add(String.format(Locale.ROOT, "%.2fx", manager.roundP50s.get(r) / floor.roundP50s.get(r)));
		}
		this.report.print("per-round p50 (us): raw floor " + micros(floor.roundP50s) + ", LockManager "
				+ micros(manager.roundP50s) + ", ratio " + roundRatios);
		this.report.printf("ratio of the median p50s: %.2fx; median of the %d paired per-block p50 ratios (blocks of "
				+ "%d ops run side by side, the drift-robust estimate used below): %.2fx", manager.p50() / floor.p50(),
				floor.pairs(), block, manager.ratioTo(floor));
		double ratio = manager.ratioTo(floor);
		this.report.printf("LockManager p50 / raw floor p50 = %.2fx (target <= %.2fx)%s", ratio, TARGET_RATIO,
				(ratio <= TARGET_RATIO) ? "" : "  <-- above target");
		double extra = this.scenarios.annotated.minus(this.scenarios.direct) / 1e3;
		this.report.printf("@DistributedLock p50 - LockManager p50 = %.1f us (target < %.0f us)%s", extra,
				TARGET_ANNOTATION_MICROS, (extra < TARGET_ANNOTATION_MICROS) ? "" : "  <-- above target");
	}

	/** One line of a breakdown: the median paired p50 difference of two scenarios, with their table numbers. */
	private void layer(String what, Scenario scenario, Scenario minus) {
		this.report.printf("  %-70s %+7.1f us", what + " (#" + this.numbers.get(scenario) + " - #"
				+ this.numbers.get(minus) + ")", scenario.minus(minus) / 1e3);
	}

	private static List<String> micros(List<Double> nanos) {
		return nanos.stream().map(Stats::micros).toList();
	}

}
