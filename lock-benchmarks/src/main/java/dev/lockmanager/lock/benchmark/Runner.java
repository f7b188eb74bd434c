package dev.lockmanager.lock.benchmark;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * Runs scenarios and records what they measure: single-threaded ones interleaved block by block, multi-threaded
 * ones in alternating rounds, and one scenario alone for a fixed time.
 */
final class Runner {

	private final Settings settings;

	/** Asked for redis-server's CPU time around each block. */
	private final RedisCommands<String, String> raw;

	Runner(Settings settings, RedisCommands<String, String> raw) {
		this.settings = settings;
		this.raw = raw;
	}

	/**
	 * Single-threaded scenarios, interleaved in blocks of {@code bench.block} operations (the order of the scenarios
	 * rotates with each block), so that all of them see the same machine at nearly the same time: on a small shared
	 * VM, latency drifts by 2x within seconds. Blocks, not single operations: alternating the Lettuce client on every
	 * operation makes each operation pay for waking the other client's idle event loop. The warm-up runs the same way,
	 * unrecorded; then {@code bench.rounds} rounds of {@code bench.ops} operations per scenario.
	 */
	void runInterleaved(List<Scenario> scenarios) throws Exception {
		ThreadMXBean threadBean = (ThreadMXBean) ManagementFactory.getThreadMXBean();
		OperatingSystemMXBean osBean = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
		long thread = Thread.currentThread().getId();
		int n = scenarios.size();
		for (int round = -1; round < this.settings.rounds(); round++) {
			int ops = (round < 0) ? this.settings.warmup() : this.settings.ops();
			LongBuffer[] latencies = new LongBuffer[n];
			long[] busyNanos = new long[n];
			for (int s = 0; s < n; s++) {
				latencies[s] = new LongBuffer(ops);
			}
			for (int first = 0, b = 0; first < ops; first += this.settings.block(), b++) {
				int last = Math.min(ops, first + this.settings.block());
				for (int k = 0; k < n; k++) {
					int s = (b + k) % n;
					Scenario scenario = scenarios.get(s);
					Scenario.Op op = scenario.op;
					double redisBefore = RedisInfo.cpuSeconds(this.raw);
					long allocBefore = threadBean.getThreadAllocatedBytes(thread);
					long processBefore = osBean.getProcessCpuTime();
					long threadBefore = threadBean.getCurrentThreadCpuTime();
					for (int i = first; i < last; i++) {
						long begin = System.nanoTime();
						op.run(0);
						long nanos = System.nanoTime() - begin;
						latencies[s].add(nanos);
						busyNanos[s] += nanos;
					}
					long threadCpu = threadBean.getCurrentThreadCpuTime() - threadBefore;
					long processCpu = osBean.getProcessCpuTime() - processBefore;
					long alloc = threadBean.getThreadAllocatedBytes(thread) - allocBefore;
					double redisCpu = RedisInfo.cpuSeconds(this.raw) - redisBefore;
					if (round >= 0) {
						scenario.costs.add(last - first, threadCpu, processCpu, redisCpu, alloc);
						scenario.blockP50s.add(Stats.percentile(latencies[s].sortedSince(first), 0.5));
					}
				}
			}
			if (round >= 0) {
				for (int s = 0; s < n; s++) {
					scenarios.get(s).add(new Scenario.Sample(new LongBuffer[] { latencies[s] }, busyNanos[s]));
				}
			}
		}
	}

	/** Multi-threaded scenarios: warmed up, then measured in alternating rounds (a round's order rotates too). */
	void runAlternating(List<Scenario> scenarios) throws Exception {
		for (Scenario scenario : scenarios) {
			runThreads(scenario, 0, this.settings.warmupPerThread());
		}
		for (int round = 0; round < this.settings.threadedRounds(); round++) {
			for (int i = 0; i < scenarios.size(); i++) {
				Scenario scenario = scenarios.get((i + round) % scenarios.size());
				scenario.add(runThreads(scenario, 0, this.settings.threadedOpsPerThread()));
			}
		}
	}

	/** One scenario alone for {@code nanos}, after an unrecorded warm-up of a quarter of that (at least 1s). */
	void runTimed(Scenario scenario, long nanos, Runnable afterWarmup) throws Exception {
		runThreads(scenario, Math.max(nanos / 4, 1_000_000_000L), 0);
		afterWarmup.run();
		scenario.add(runThreads(scenario, nanos, 0));
	}

	/**
	 * Runs {@code scenario.threads} threads (the calling thread when there is one), each for {@code opsPerThread}
	 * operations or, when {@code durationNanos} is positive, until that time has passed.
	 */
	private static Scenario.Sample runThreads(Scenario scenario, long durationNanos, int opsPerThread)
			throws Exception {
		int threads = scenario.threads;
		LongBuffer[] latencies = new LongBuffer[threads];
		for (int t = 0; t < threads; t++) {
			latencies[t] = new LongBuffer((durationNanos > 0) ? 1 << 16 : opsPerThread);
		}
		if (threads == 1) {
			long start = System.nanoTime();
			loop(scenario.op, 0, durationNanos, opsPerThread, start, latencies[0]);
			return new Scenario.Sample(latencies, System.nanoTime() - start);
		}
		CountDownLatch ready = new CountDownLatch(threads);
		CountDownLatch go = new CountDownLatch(1);
		AtomicReference<Throwable> failure = new AtomicReference<>();
		AtomicLong startNanos = new AtomicLong();
		AtomicLong endNanos = new AtomicLong();
		List<Thread> workers = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			int thread = t;
			Thread worker = new Thread(() -> {
				ready.countDown();
				try {
					go.await();
					loop(scenario.op, thread, durationNanos, opsPerThread, startNanos.get(), latencies[thread]);
				}
				catch (Throwable ex) {
					failure.compareAndSet(null, ex);
				}
				finally {
					endNanos.accumulateAndGet(System.nanoTime(), Math::max);
				}
			}, "bench-" + t);
			workers.add(worker);
			worker.start();
		}
		ready.await();
		startNanos.set(System.nanoTime());
		go.countDown();
		for (Thread worker : workers) {
			worker.join();
		}
		if (failure.get() != null) {
			throw new IllegalStateException("Scenario '" + scenario.name + "' failed", failure.get());
		}
		return new Scenario.Sample(latencies, endNanos.get() - startNanos.get());
	}

	private static void loop(Scenario.Op op, int thread, long durationNanos, int ops, long start,
			LongBuffer latencies) throws Exception {
		long deadline = start + durationNanos;
		for (int i = 0; (durationNanos > 0) ? System.nanoTime() - deadline < 0 : i < ops; i++) {
			long begin = System.nanoTime();
			op.run(thread);
			latencies.add(System.nanoTime() - begin);
		}
	}

}
