package dev.lockmanager.lock.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.data.redis.core.StringRedisTemplate;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LockManager;

/**
 * The mutual-exclusion workload: several lock managers (as separate application instances would have) times several
 * threads each do a non-atomic read-modify-write of Redis counters, each under the lock of its counter. Without
 * mutual exclusion updates get lost; the callers assert the final counts.
 */
public final class CounterLoad {

	private CounterLoad() {
	}

	/**
	 * Sets the counters to 0, then increments each {@code incrementsPerThread} times from every thread.
	 * @param managers the lock managers, one per simulated instance
	 * @param threadsPerManager threads per manager
	 * @param incrementsPerThread increments of each counter per thread
	 * @param redis where the counters live
	 * @param counters the counter keys, also used as the lock keys
	 * @return the most callers ever seen inside the lock of one counter at once (1 when exclusive)
	 */
	public static int run(List<? extends LockManager> managers, int threadsPerManager, int incrementsPerThread,
			StringRedisTemplate redis, List<String> counters) throws Exception {
		counters.forEach((counter) -> redis.opsForValue().set(counter, "0"));
		Map<String, AtomicInteger> inside = new ConcurrentHashMap<>();
		AtomicInteger most = new AtomicInteger();
		ExecutorService threads = Executors.newFixedThreadPool(managers.size() * threadsPerManager);
		try {
			List<Future<?>> work = new ArrayList<>();
			for (LockManager manager : managers) {
				for (int t = 0; t < threadsPerManager; t++) {
					work.add(threads.submit(() -> {
						for (int i = 0; i < incrementsPerThread; i++) {
							for (String counter : counters) {
								try (Lease lease = manager.acquire(counter, Duration.ofSeconds(10),
										Duration.ofSeconds(60))) {
									AtomicInteger holders = inside.computeIfAbsent(counter, (c) -> new AtomicInteger());
									most.accumulateAndGet(holders.incrementAndGet(), Math::max);
									int value = Integer.parseInt(redis.opsForValue().get(counter));
									redis.opsForValue().set(counter, Integer.toString(value + 1));
									holders.decrementAndGet();
								}
							}
						}
						return null;
					}));
				}
			}
			for (Future<?> future : work) {
				future.get();
			}
		}
		finally {
			threads.shutdownNow();
		}
		return most.get();
	}

}
