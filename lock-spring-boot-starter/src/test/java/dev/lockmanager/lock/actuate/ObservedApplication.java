package dev.lockmanager.lock.actuate;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;

import dev.lockmanager.lock.DistributedLock;
import dev.lockmanager.lock.LockContext;
import dev.lockmanager.lock.testing.RedisServer;

/**
 * A Spring Boot application with Actuator, a web server and a method locked by {@link DistributedLock} that runs
 * until the test opens its gate. Spring Security is on the test class path (for the HTTP lock API); this application
 * does not use it.
 */
@SpringBootConfiguration
@EnableAutoConfiguration(excludeName = { "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration" })
class ObservedApplication {

	/**
	 * Points the application at a test's Redis server.
	 */
	static void connectTo(RedisServer server, DynamicPropertyRegistry properties) {
		properties.add("spring.data.redis.host", server::host);
		properties.add("spring.data.redis.port", server::port);
		properties.add("spring.data.redis.timeout", () -> "1s");
	}

	@Bean
	ReportJob reportJob() {
		return new ReportJob();
	}

	static class ReportJob {

		/**
		 * Holds the lease on {@code day} until the gate opens.
		 * @return the lease's fencing token
		 */
		@DistributedLock(name = "reports", key = "#day", ttl = "10s", waitTime = "0")
		public long run(String day, Gate gate) throws InterruptedException {
			gate.started.countDown();
			if (!gate.open.await(10, TimeUnit.SECONDS)) {
				throw new IllegalStateException("The test did not open the gate");
			}
			return LockContext.current().orElseThrow().fencingToken();
		}

	}

	/**
	 * Lets a test start {@link ReportJob#run} on another thread, look at it while it holds its lease, then let it
	 * finish.
	 */
	static final class Gate {

		private final CountDownLatch started = new CountDownLatch(1);

		private final CountDownLatch open = new CountDownLatch(1);

		/**
		 * Runs the job (through its proxy) on another thread and returns once it holds the lease.
		 */
		static Gate start(ReportJob job, String day) throws InterruptedException {
			Gate gate = new Gate();
			gate.run = CompletableFuture.supplyAsync(() -> {
				try {
					return job.run(day, gate);
				}
				catch (InterruptedException ex) {
					throw new IllegalStateException(ex);
				}
			});
			if (!gate.started.await(10, TimeUnit.SECONDS)) {
				throw new IllegalStateException("The job did not start: " + gate.run);
			}
			return gate;
		}

		private CompletableFuture<Long> run;

		/**
		 * Lets the job finish and returns what it returned.
		 */
		long finish() throws Exception {
			this.open.countDown();
			return this.run.get(10, TimeUnit.SECONDS);
		}

	}

}
