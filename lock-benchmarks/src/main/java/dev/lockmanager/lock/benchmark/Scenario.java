package dev.lockmanager.lock.benchmark;

import java.util.ArrayList;
import java.util.List;

/**
 * One measured operation (an acquire plus a release) and everything recorded about it: latencies, per-round and
 * per-block p50s, wall time, and, for single-threaded scenarios, CPU and allocation. Ratios and differences to its
 * baseline are taken over the blocks (or rounds) that ran side by side, so drift on a noisy machine cancels out.
 */
final class Scenario {

	/** One operation of a scenario, on thread number {@code thread} (0 when single-threaded). */
	@FunctionalInterface
	interface Op {

		void run(int thread) throws Exception;

	}

	/** One measured run: the latencies of each thread and the wall time of the whole run. */
	record Sample(LongBuffer[] latencies, long elapsedNanos) {
	}

	final String name;

	final int threads;

	/** The scenario this one's p50 is compared with, {@code null} for a baseline. */
	final Scenario baseline;

	final Op op;

	final List<Double> roundP50s = new ArrayList<>();

	/** p50 of each interleaving block, in time order; block i of every scenario ran within the same second. */
	final List<Double> blockP50s = new ArrayList<>();

	final LongBuffer samples = new LongBuffer(1 << 16);

	final Costs costs = new Costs();

	private long elapsedNanos;

	Scenario(String name, int threads, Scenario baseline, Op op) {
		this.name = name;
		this.threads = threads;
		this.baseline = baseline;
		this.op = op;
	}

	void add(Sample sample) {
		LongBuffer round = new LongBuffer(1 << 16);
		for (LongBuffer latencies : sample.latencies()) {
			round.addAll(latencies);
			this.samples.addAll(latencies);
		}
		this.roundP50s.add(Stats.percentile(round.sorted(), 0.5));
		this.elapsedNanos += sample.elapsedNanos();
	}

	double throughput() {
		return this.samples.size() / (this.elapsedNanos / 1e9);
	}

	/** Median of the per-round p50s. */
	double p50() {
		return Stats.median(this.roundP50s);
	}

	/** Median over the paired blocks (or rounds) of this scenario's p50 divided by {@code other}'s. */
	double ratioTo(Scenario other) {
		return pairwise(other, true);
	}

	/** Median over the paired blocks (or rounds) of this scenario's p50 minus {@code other}'s, in ns. */
	double minus(Scenario other) {
		return pairwise(other, false);
	}

	/** The number of p50s paired with another scenario's: blocks when interleaved, else rounds. */
	int pairs() {
		return paired().size();
	}

	private double pairwise(Scenario other, boolean ratio) {
		List<Double> mine = paired();
		List<Double> theirs = other.paired();
		double[] values = new double[Math.min(mine.size(), theirs.size())];
		for (int i = 0; i < values.length; i++) {
			values[i] = ratio ? mine.get(i) / theirs.get(i) : mine.get(i) - theirs.get(i);
		}
		return Stats.median(values);
	}

	private List<Double> paired() {
		return this.blockP50s.isEmpty() ? this.roundP50s : this.blockP50s;
	}

	/** CPU and allocation of a single-threaded scenario, summed over its measured blocks. */
	static final class Costs {

		long ops;

		long threadCpuNanos;

		long processCpuNanos;

		double redisCpuSeconds;

		long allocatedBytes;

		void add(long ops, long threadCpuNanos, long processCpuNanos, double redisCpuSeconds, long allocatedBytes) {
			this.ops += ops;
			this.threadCpuNanos += threadCpuNanos;
			this.processCpuNanos += processCpuNanos;
			this.redisCpuSeconds += redisCpuSeconds;
			this.allocatedBytes += allocatedBytes;
		}

	}

}
