package dev.lockmanager.lock.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LockNotAcquiredException;
import dev.lockmanager.lock.LockRequest;

/**
 * One application instance in a process of its own, for {@link SeparateProcessContentionTests}: its threads take
 * one key in a loop until the end time, checking in Redis that no other holder is inside and that fencing tokens
 * only grow across all processes. Prints the largest token it holds every 50ms ({@code token N}) and, at the end,
 * {@code result acquired=N timeouts=N maxWaitMillis=N overlaps=N regressions=N}.
 * <p>
 * Arguments: port, key, threads, start time and end time (epoch millis), hold time (µs), ttl (ms).
 */
public final class ContendingProcess {

	private ContendingProcess() {
	}

	public static void main(String[] args) throws Exception {
		int port = Integer.parseInt(args[0]);
		String key = args[1];
		int threads = Integer.parseInt(args[2]);
		long startAt = Long.parseLong(args[3]);
		long endAt = Long.parseLong(args[4]);
		long holdNanos = TimeUnit.MICROSECONDS.toNanos(Long.parseLong(args[5]));
		Duration ttl = Duration.ofMillis(Long.parseLong(args[6]));
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", port),
				LettuceClientConfiguration.builder().commandTimeout(Duration.ofSeconds(2)).build());
		factory.afterPropertiesSet();
		factory.start();
		StringRedisTemplate redis = new StringRedisTemplate(factory);
		RedisLockManager manager = RedisLockManager.builder(factory).build();
		AtomicInteger acquired = new AtomicInteger();
		AtomicInteger timeouts = new AtomicInteger();
		AtomicInteger overlaps = new AtomicInteger();
		AtomicInteger regressions = new AtomicInteger();
		AtomicLong maxWait = new AtomicLong();
		AtomicLong maxToken = new AtomicLong();
		Thread.sleep(Math.max(0, startAt - System.currentTimeMillis()));
		List<Thread> workers = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			Thread worker = new Thread(() -> {
				while (System.currentTimeMillis() < endAt) {
					long start = System.nanoTime();
					try (Lease lease = manager.acquire(LockRequest.of("default", key, ttl)
						.withWaitTime(Duration.ofSeconds(5)))) {
						maxWait.accumulateAndGet(System.nanoTime() - start, Math::max);
						maxToken.accumulateAndGet(lease.fencingToken(), Math::max);
						if (redis.opsForValue().increment(key + ":inside") != 1) {
							overlaps.incrementAndGet();
						}
						String last = redis.opsForValue().getAndSet(key + ":token", Long.toString(lease.fencingToken()));
						if (last != null && Long.parseLong(last) >= lease.fencingToken()) {
							regressions.incrementAndGet();
						}
						long until = System.nanoTime() + holdNanos;
						while (System.nanoTime() < until) {
							Thread.onSpinWait();
						}
						redis.opsForValue().decrement(key + ":inside");
						acquired.incrementAndGet();
					}
					catch (LockNotAcquiredException ex) {
						timeouts.incrementAndGet();
					}
				}
			});
			worker.start();
			workers.add(worker);
		}
		while (workers.stream().anyMatch(Thread::isAlive)) {
			System.out.println("token " + maxToken.get());
			Thread.sleep(50);
		}
		System.out.println("result acquired=" + acquired + " timeouts=" + timeouts + " maxWaitMillis="
				+ TimeUnit.NANOSECONDS.toMillis(maxWait.get()) + " overlaps=" + overlaps + " regressions="
				+ regressions);
		manager.close();
		factory.destroy();
	}

}
