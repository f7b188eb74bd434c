package dev.lockmanager.lock.aop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.lockmanager.lock.DistributedLock;
import dev.lockmanager.lock.LeaseLostException;
import dev.lockmanager.lock.LockContext;
import dev.lockmanager.lock.LockNotAcquiredException;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * Renewal through the annotation: the ttl is the lease granularity, not a cap on the method's run time, unless
 * {@code renew = false}; a lease lost while the method runs reaches the caller after the method.
 */
class AnnotationRenewalTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	private final ApplicationContextRunner runner = LockedApplications.on(redis.server())
		.withUserConfiguration(Config.class);

	@Test
	void renewedLeaseKeepsASecondContextOutWhileTheMethodRunsLongerThanTheTtl() {
		this.runner.run((holder) -> this.runner.run((contender) -> {
			Job running = holder.getBean(Job.class);
			Job other = contender.getBean(Job.class);
			CompletableFuture<Void> work = CompletableFuture.runAsync(() -> running.renewed(Duration.ofSeconds(4)));
			await().atMost(Duration.ofSeconds(5)).until(running::hasStarted);
			while (!work.isDone()) {
				assertThatExceptionOfType(LockNotAcquiredException.class).isThrownBy(other::tryRenewed);
				Thread.sleep(100);
			}
			work.get();
			other.tryRenewed();
		}));
	}

	@Test
	void withoutRenewalASecondContextEntersAfterTheTtl() {
		this.runner.run((holder) -> this.runner.run((contender) -> {
			Job running = holder.getBean(Job.class);
			Job other = contender.getBean(Job.class);
			long start = System.nanoTime();
			CompletableFuture<Void> work = CompletableFuture
				.runAsync(() -> running.notRenewed(Duration.ofSeconds(4)));
			await().atMost(Duration.ofSeconds(5)).until(running::hasStarted);
			assertThatExceptionOfType(LockNotAcquiredException.class).isThrownBy(other::tryNotRenewed);
			await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
				.until(() -> {
					other.tryNotRenewed();
					return true;
				});
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(900),
					Duration.ofMillis(2500));
			assertThat(work).isNotDone();
			assertThatExceptionOfType(Exception.class).isThrownBy(() -> work.get(10, TimeUnit.SECONDS))
				.withCauseInstanceOf(LeaseLostException.class);
		}));
	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Job job() {
			return new Job();
		}

	}

	static class Job {

		private final CountDownLatch started = new CountDownLatch(1);

		/** Through the proxy: fields of a class-based proxy are not the target's. */
		public boolean hasStarted() {
			return this.started.getCount() == 0;
		}

		@DistributedLock(name = "report", ttl = "1s", waitTime = "0")
		public void renewed(Duration runTime) {
			work(runTime);
		}

		@DistributedLock(name = "report", ttl = "1s", waitTime = "0")
		public void tryRenewed() {
			assertThat(LockContext.current()).isPresent();
		}

		@DistributedLock(name = "unrenewed-report", ttl = "1s", waitTime = "0", renew = false)
		public void notRenewed(Duration runTime) {
			work(runTime);
		}

		@DistributedLock(name = "unrenewed-report", ttl = "1s", waitTime = "0", renew = false)
		public void tryNotRenewed() {
			assertThat(LockContext.current()).isPresent();
		}

		private void work(Duration runTime) {
			this.started.countDown();
			try {
				Thread.sleep(runTime.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

}
