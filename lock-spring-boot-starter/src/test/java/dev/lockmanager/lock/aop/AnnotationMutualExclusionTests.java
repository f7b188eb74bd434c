package dev.lockmanager.lock.aop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.lockmanager.lock.DistributedLock;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * Three application contexts, each with its own Redis connection factory, call a {@code @DistributedLock} method
 * doing a non-atomic read-modify-write of a Redis counter from several threads: no update may be lost.
 */
class AnnotationMutualExclusionTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	private static final int THREADS_PER_CONTEXT = 3;

	private static final int CALLS_PER_THREAD = 150;

	/** Callers inside the locked method at once, across all contexts of this JVM. */
	static final AtomicInteger inside = new AtomicInteger();

	static final AtomicInteger mostInside = new AtomicInteger();

	@Test
	void readModifyWriteThroughTheAnnotationLosesNoUpdate() {
		ApplicationContextRunner runner = LockedApplications.on(redis.server()).withUserConfiguration(Config.class);
		runner.run((first) -> runner.run((second) -> runner.run((third) -> {
			List<ApplicationContext> contexts = List.of(first, second, third);
			assertThat(contexts).extracting((context) -> context.getBean(RedisConnectionFactory.class))
				.doesNotHaveDuplicates();
			new StringRedisTemplate(first.getBean(RedisConnectionFactory.class)).opsForValue().set("stock", "0");
			ExecutorService threads = Executors.newFixedThreadPool(contexts.size() * THREADS_PER_CONTEXT);
			try {
				List<Future<?>> work = new ArrayList<>();
				for (ApplicationContext context : contexts) {
					Counter counter = context.getBean(Counter.class);
					for (int t = 0; t < THREADS_PER_CONTEXT; t++) {
						work.add(threads.submit(() -> {
							for (int i = 0; i < CALLS_PER_THREAD; i++) {
								counter.increment("stock");
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
			assertThat(first.getBean(Counter.class).read("stock"))
				.isEqualTo(contexts.size() * THREADS_PER_CONTEXT * CALLS_PER_THREAD);
			assertThat(mostInside).hasValue(1);
		})));
	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Counter counter(RedisConnectionFactory connectionFactory) {
			return new Counter(new StringRedisTemplate(connectionFactory));
		}

	}

	static class Counter {

		private final StringRedisTemplate redis;

		Counter(StringRedisTemplate redis) {
			this.redis = redis;
		}

		@DistributedLock(key = "#name", ttl = "10s", waitTime = "60s")
		public void increment(String name) {
			mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
			int value = read(name);
			this.redis.opsForValue().set(name, Integer.toString(value + 1));
			inside.decrementAndGet();
		}

		int read(String name) {
			return Integer.parseInt(this.redis.opsForValue().get(name));
		}

	}

}
