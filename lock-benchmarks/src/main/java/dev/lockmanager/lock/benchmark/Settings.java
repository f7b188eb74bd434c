package dev.lockmanager.lock.benchmark;

/**
 * The benchmark's settings, from system properties whose defaults are in the module's pom: {@code bench.warmup}
 * (ops per scenario), {@code bench.ops} and {@code bench.rounds} (single-threaded ops per round, rounds),
 * {@code bench.block} (interleaving block), {@code bench.threads}, {@code bench.threadedOps} and
 * {@code bench.threadedRounds} (ops over all threads per round, rounds), {@code bench.hotSeconds},
 * {@code bench.report} (a file to copy the report to; keep it under {@code target/}).
 */
record Settings(int warmup, int ops, int rounds, int block, int threads, int threadedOps, int threadedRounds,
		int hotSeconds, String report) {

	static Settings fromSystemProperties() {
		return new Settings(Integer.getInteger("bench.warmup", 20_000), Integer.getInteger("bench.ops", 10_000),
				Math.max(1, Integer.getInteger("bench.rounds", 5)), Math.max(1, Integer.getInteger("bench.block", 500)),
				Math.max(1, Integer.getInteger("bench.threads", 8)), Integer.getInteger("bench.threadedOps", 12_000),
				Math.max(1, Integer.getInteger("bench.threadedRounds", 10)), Integer.getInteger("bench.hotSeconds", 10),
				System.getProperty("bench.report", ""));
	}

	/** Warm-up operations of each thread of a multi-threaded scenario. */
	int warmupPerThread() {
		return Math.max(1, this.warmup / this.threads);
	}

	/** Measured operations of each thread of a multi-threaded scenario, per round. */
	int threadedOpsPerThread() {
		return Math.max(1, this.threadedOps / this.threads);
	}

}
