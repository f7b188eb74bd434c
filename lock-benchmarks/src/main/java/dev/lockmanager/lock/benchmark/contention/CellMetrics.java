package dev.lockmanager.lock.benchmark.contention;

import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;

import dev.lockmanager.lock.benchmark.Stats;

/**
 * The numbers of one implementation in one cell, over all its slices. Throughput, handoffs and shares count the
 * acquisitions that returned inside a measured window; latencies are those of the acquisitions started inside it,
 * including the waiters that got the key only after the window closed (leaving them out would hide starvation).
 * Exclusivity is checked on every recorded acquisition.
 */
final class CellMetrics {

	final int instances;

	final boolean fencing;

	/** Acquisitions per instance. */
	final long[] perInstance;

	private final LongStream.Builder acquireBuilder = LongStream.builder();

	private final LongStream.Builder acquireAndReleaseBuilder = LongStream.builder();

	/** Acquire latencies, ascending. */
	private long[] acquire;

	/** Acquire plus release latencies, ascending. */
	private long[] acquireAndRelease;

	long ops;

	long windowNanos;

	/** Consecutive holders from the same instance. */
	long localHandoffs;

	/** Consecutive holders from different instances. */
	long crossHandoffs;

	/** Hold intervals that began before an earlier holder's had ended (see {@link Acquisition}). */
	long intervalOverlaps;

	long holderOverlaps;

	/** Holders whose fencing token was not above every earlier holder's; always 0 when the library has none. */
	long fencingRegressions;

	long timeouts;

	private CellMetrics(int instances, boolean fencing) {
		this.instances = instances;
		this.fencing = fencing;
		this.perInstance = new long[instances];
	}

	static CellMetrics of(List<SliceLog> slices, int instances, boolean fencing) {
		CellMetrics metrics = new CellMetrics(instances, fencing);
		slices.forEach(metrics::add);
		metrics.acquire = metrics.acquireBuilder.build().sorted().toArray();
		metrics.acquireAndRelease = metrics.acquireAndReleaseBuilder.build().sorted().toArray();
		return metrics;
	}

	private void add(SliceLog slice) {
		this.windowNanos += slice.to() - slice.from();
		this.timeouts += slice.timeouts();
		this.holderOverlaps += slice.holderOverlaps();
		List<Acquisition> acquisitions = slice.acquisitions();
		Acquisition previous = null;
		long latestReleaseStart = 0;
		long highestToken = 0;
		for (Acquisition a : acquisitions) {
			if (a.acquireEnd() - slice.to() < 0) {
				countHolder(a, previous);
			}
			if (a.acquireStart() - slice.from() >= 0) {
				this.acquireBuilder.add(a.acquireNanos());
				this.acquireAndReleaseBuilder.add(a.acquireAndReleaseNanos());
			}
			if (previous != null && a.acquireEnd() - latestReleaseStart < 0) {
				this.intervalOverlaps++;
			}
			if (previous != null && this.fencing && a.fencingToken() <= highestToken) {
				this.fencingRegressions++;
			}
			if (previous == null || a.releaseStart() - latestReleaseStart > 0) {
				latestReleaseStart = a.releaseStart();
			}
			highestToken = (previous == null) ? a.fencingToken() : Math.max(highestToken, a.fencingToken());
			previous = a;
		}
	}

	/** Counts a holder that got the key inside the window, and the handoff to it from the one before. */
	private void countHolder(Acquisition holder, Acquisition previous) {
		this.ops++;
		this.perInstance[holder.instance()]++;
		if (previous == null) {
			return;
		}
		if (holder.instance() == previous.instance()) {
			this.localHandoffs++;
		}
		else {
			this.crossHandoffs++;
		}
	}

	double opsPerSecond() {
		return (this.windowNanos == 0) ? 0 : this.ops * 1e9 / this.windowNanos;
	}

	/** Jain's fairness index over the instances' acquisitions: 1 when equal, 1/n when one instance had them all. */
	double jain() {
		double sum = Arrays.stream(this.perInstance).sum();
		double sumOfSquares = Arrays.stream(this.perInstance).mapToDouble(x -> (double) x * x).sum();
		return (sumOfSquares == 0) ? Double.NaN : sum * sum / (this.instances * sumOfSquares);
	}

	/** Each instance's share of the acquisitions, in percent. */
	double[] sharesPercent() {
		return Arrays.stream(this.perInstance).mapToDouble(x -> (this.ops == 0) ? 0 : 100.0 * x / this.ops).toArray();
	}

	double localHandoffPercent() {
		long handoffs = this.localHandoffs + this.crossHandoffs;
		return (handoffs == 0) ? Double.NaN : 100.0 * this.localHandoffs / handoffs;
	}

	/** The percentile {@code p} (0..1) of the acquire latencies, in nanoseconds. */
	double acquire(double p) {
		return Stats.percentile(this.acquire, p);
	}

	/** The percentile {@code p} (0..1) of the acquire-plus-release latencies, in nanoseconds. */
	double acquireAndRelease(double p) {
		return Stats.percentile(this.acquireAndRelease, p);
	}

	boolean exclusive() {
		return this.intervalOverlaps == 0 && this.holderOverlaps == 0 && this.fencingRegressions == 0;
	}

}
