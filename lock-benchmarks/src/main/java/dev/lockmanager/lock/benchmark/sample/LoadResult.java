package dev.lockmanager.lock.benchmark.sample;

import java.util.Arrays;
import java.util.Map;

/**
 * What one run of {@link OrderLoad} saw.
 *
 * @param seconds length of the measured window
 * @param perInstance orders accepted per second during the window, by instance
 * @param slowestSecond orders accepted in the slowest whole second of the window, all instances together
 * @param fastestSecond the same for the fastest second
 * @param p50Millis median latency of the orders answered during the window
 * @param p99Millis 99th percentile of the same
 * @param cpu CPU seconds used during the window
 * @param accepted orders answered 201 over the whole run: warm-up, window and the orders in flight at its end
 * @param refusals every other answer over the whole run, by label ({@code 503 LOCK_TIMEOUT}, {@code no answer})
 * @param firstRefusal the first body (or I/O error) seen for each label
 */
record LoadResult(double seconds, double[] perInstance, long slowestSecond, long fastestSecond, double p50Millis,
		double p99Millis, ProcessCpu.Usage cpu, long accepted, Map<String, Long> refusals,
		Map<String, String> firstRefusal) {

	/** Orders accepted per second during the window, all instances together. */
	double ordersPerSecond() {
		return Arrays.stream(this.perInstance).sum();
	}

	/** Orders accepted during the window, all instances together. */
	double windowOrders() {
		return ordersPerSecond() * this.seconds;
	}

}
