package dev.lockmanager.lock.aop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lockmanager.lock.DistributedLock;
import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LeaseLostException;
import dev.lockmanager.lock.LockContext;
import dev.lockmanager.lock.testing.RedisServerExtension;

/**
 * {@code @DistributedLock} with transactions: the lease is never released before the commit, and a lease lost before
 * the commit rolls the transaction back. The transaction manager records what Redis holds when it commits.
 */
class TransactionTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	static final List<String> events = new CopyOnWriteArrayList<>();

	private final ApplicationContextRunner runner = LockedApplications.on(redis.server());

	@BeforeEach
	void clearEvents() {
		events.clear();
	}

	@Test
	void lockWrapsTheTransactionAndIsReleasedAfterTheCommit() {
		this.runner.withUserConfiguration(LockOutsideTransaction.class).run((context) -> {
			context.getBean(Inventory.class).update("item-1");
			assertThat(events).containsExactly("begin", "work", "commit while item-1 is locked");
			assertThat(isLocked("item-1")).isFalse();
		});
	}

	@Test
	void leaseLostBeforeTheCommitRollsBackTheTransactionInsideTheLock() {
		this.runner.withUserConfiguration(LockOutsideTransaction.class).run((context) -> {
			assertThatExceptionOfType(LeaseLostException.class)
				.isThrownBy(() -> context.getBean(Inventory.class).updateAfterLosingTheLease("item-2"))
				.withMessageContaining("before the transaction committed");
			assertThat(events).containsExactly("begin", "work", "rollback");
		});
	}

	@Test
	void releaseWaitsForAnEnclosingTransaction() {
		this.runner.withUserConfiguration(LockOutsideTransaction.class).run((context) -> {
			new TransactionTemplate(context.getBean(RecordingTransactionManager.class)).executeWithoutResult((status) -> {
				context.getBean(Inventory.class).updateWithoutOwnTransaction("item-3");
				events.add("locked method returned while item-3 is " + (isLocked("item-3") ? "locked" : "free"));
			});
			assertThat(events).containsExactly("begin", "work", "locked method returned while item-3 is locked",
					"commit while item-3 is locked");
			assertThat(isLocked("item-3")).isFalse();
		});
	}

	@Test
	void leaseLostBeforeTheCommitRollsBackAnEnclosingTransaction() {
		this.runner.withUserConfiguration(LockOutsideTransaction.class).run((context) -> {
			TransactionTemplate transaction = new TransactionTemplate(context.getBean(RecordingTransactionManager.class));
			assertThatExceptionOfType(LeaseLostException.class).isThrownBy(() -> transaction.executeWithoutResult(
					(status) -> context.getBean(Inventory.class).loseTheLeaseWithoutOwnTransaction("item-4")));
			assertThat(events).containsExactly("begin", "work", "rollback");
			assertThat(isLocked("item-4")).isFalse();
		});
	}

	@Test
	void transactionOrderedOutsideTheLockStillCommitsBeforeTheRelease() {
		this.runner.withUserConfiguration(TransactionOutsideLock.class).run((context) -> {
			context.getBean(Inventory.class).update("item-5");
			assertThat(events).containsExactly("begin", "work", "commit while item-5 is locked");
			assertThat(isLocked("item-5")).isFalse();
		});
	}

	@Test
	void transactionOrderedOutsideTheLockIsRolledBackWhenTheLeaseIsLost() {
		this.runner.withUserConfiguration(TransactionOutsideLock.class).run((context) -> {
			assertThatExceptionOfType(LeaseLostException.class)
				.isThrownBy(() -> context.getBean(Inventory.class).updateAfterLosingTheLease("item-6"));
			assertThat(events).containsExactly("begin", "work", "rollback");
		});
	}

	private static boolean isLocked(String item) {
		return Long.valueOf(1).equals(redis.server().execute("EXISTS", "lock:{inventory:" + item + "}"));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableTransactionManagement
	@Import(InventoryBeans.class)
	static class LockOutsideTransaction {

	}

	/** Transaction advice ordered before (outside) the lock advice. */
	@Configuration(proxyBeanMethods = false)
	@EnableTransactionManagement(order = 0)
	@Import(InventoryBeans.class)
	static class TransactionOutsideLock {

	}

	@Configuration(proxyBeanMethods = false)
	static class InventoryBeans {

		@Bean
		RecordingTransactionManager transactionManager() {
			return new RecordingTransactionManager();
		}

		@Bean
		Inventory inventory() {
			return new Inventory();
		}

	}

	static class Inventory {

		@DistributedLock(name = "inventory", key = "#item", ttl = "10s")
		@Transactional
		public void update(String item) {
			events.add("work");
		}

		@DistributedLock(name = "inventory", key = "#item", ttl = "10s")
		public void updateWithoutOwnTransaction(String item) {
			events.add("work");
		}

		@DistributedLock(name = "inventory", key = "#item", ttl = "600ms")
		@Transactional
		public void updateAfterLosingTheLease(String item) {
			loseTheLease(item);
		}

		@DistributedLock(name = "inventory", key = "#item", ttl = "600ms")
		public void loseTheLeaseWithoutOwnTransaction(String item) {
			loseTheLease(item);
		}

		private void loseTheLease(String item) {
			events.add("work");
			Lease lease = LockContext.current().orElseThrow();
			redis.server().execute("DEL", "lock:{inventory:" + item + "}");
			await().atMost(Duration.ofSeconds(3)).until(() -> !lease.isHeld());
		}

	}

	/** A transaction manager that records its steps and, at commit, whether Redis still holds the lock. */
	static class RecordingTransactionManager extends AbstractPlatformTransactionManager {

		@Override
		protected Object doGetTransaction() {
			return new Object();
		}

		@Override
		protected void doBegin(Object transaction, org.springframework.transaction.TransactionDefinition definition) {
			events.add("begin");
		}

		@Override
		protected void doCommit(DefaultTransactionStatus status) {
			String item = LockContext.current().map(Lease::key).orElse(lockedItem());
			events.add("commit while " + item + " is " + (isLocked(item) ? "locked" : "free"));
		}

		@Override
		protected void doRollback(DefaultTransactionStatus status) {
			events.add("rollback");
		}

		/** The item of the last "work" when the locked method already returned (release deferred). */
		private static String lockedItem() {
			for (String candidate : List.of("item-1", "item-3", "item-5")) {
				if (isLocked(candidate)) {
					return candidate;
				}
			}
			return "nothing";
		}

	}

}
