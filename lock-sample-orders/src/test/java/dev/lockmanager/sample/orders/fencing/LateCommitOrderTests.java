package dev.lockmanager.sample.orders.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.ConfigurableTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionExecution;
import org.springframework.transaction.TransactionExecutionListener;

import dev.lockmanager.lock.LeaseLostException;
import dev.lockmanager.lock.redis.RedisLockManager;
import dev.lockmanager.lock.testing.RedisServerExtension;
import dev.lockmanager.sample.orders.OrderRequest;
import dev.lockmanager.sample.orders.OrderService;
import dev.lockmanager.sample.orders.PlacedOrder;

/**
 * A holder paused after the lease commit guard and before its commit, past its lease: the window the guard cannot see
 * and fencing must cover. The next holder's order must see the paused holder's stock once it commits, so two orders
 * take two units.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE,
		properties = { "spring.data.redis.host=127.0.0.1", "spring.data.redis.timeout=1s",
				"orders.embedded-redis=false", "distributed-lock.http.enabled=false" })
@DirtiesContext
class LateCommitOrderTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	/** Pauses the commit of one thread's transaction, after every listener added before it (the commit guard). */
	private static final PauseBeforeCommit pause = new PauseBeforeCommit();

	@Autowired
	OrderService orders;

	@Autowired
	RedisLockManager lockManager;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	PlatformTransactionManager transactionManager;

	@DynamicPropertySource
	static void redisAndDatabase(DynamicPropertyRegistry registry) {
		int redisPort = redis.server().port();
		String url = "jdbc:h2:mem:late-commit-" + UUID.randomUUID()
				+ ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
		registry.add("spring.data.redis.port", () -> redisPort);
		registry.add("spring.datasource.url", () -> url);
	}

	@BeforeEach
	void addPauseAfterTheCommitGuard() {
		ConfigurableTransactionManager manager = (ConfigurableTransactionManager) this.transactionManager;
		if (!manager.getTransactionExecutionListeners().contains(pause)) {
			manager.addListener(pause);
		}
	}

	@Test
	void aHolderThatCommitsAfterItsLeaseRanOutLosesNoOrder() throws Exception {
		this.jdbc.sql("INSERT INTO tb_inventory (item_name, quantity) VALUES ('late', 10)").update();
		CompletableFuture<PlacedOrder> first = CompletableFuture.supplyAsync(() -> {
			pause.pauseThisThread();
			return this.orders.place(new OrderRequest("late", 1));
		});
		pause.awaitPaused();
		// Its lease ends while it is paused (as a GC pause past the ttl would end it): the next order gets the lock
		assertThat(this.lockManager.forceRelease("inventory", "late", "test: lease ran out during a pause"))
			.isOne();
		CompletableFuture<PlacedOrder> second = CompletableFuture
			.supplyAsync(() -> this.orders.place(new OrderRequest("late", 1)));
		Thread.sleep(300);
		assertThat(second).as("waits for the paused holder's row lock").isNotDone();
		pause.resume();
		// The first order committed (its commit had passed the guard), and its caller is told the lease was lost
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> first.get(10, TimeUnit.SECONDS))
			.withCauseInstanceOf(LeaseLostException.class);
		PlacedOrder secondPlaced = second.get(10, TimeUnit.SECONDS);
		assertThat(secondPlaced.remainingStock()).as("the second order read the first one's stock").isEqualTo(8);
		assertThat(this.jdbc.sql("SELECT quantity FROM tb_inventory WHERE item_name = 'late'")
			.query(Integer.class)
			.single()).isEqualTo(8);
		assertThat(this.jdbc.sql("SELECT COUNT(*) FROM tb_order WHERE item_name = 'late'").query(Long.class).single())
			.isEqualTo(2);
	}

	private static final class PauseBeforeCommit implements TransactionExecutionListener {

		private volatile Thread paused;

		private final CountDownLatch reached = new CountDownLatch(1);

		private final CountDownLatch resumed = new CountDownLatch(1);

		void pauseThisThread() {
			this.paused = Thread.currentThread();
		}

		@Override
		public void beforeCommit(TransactionExecution transaction) {
			if (Thread.currentThread() == this.paused) {
				this.reached.countDown();
				try {
					this.resumed.await(30, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
		}

		void awaitPaused() throws InterruptedException {
			assertThat(this.reached.await(10, TimeUnit.SECONDS)).as("paused before commit").isTrue();
		}

		void resume() {
			this.resumed.countDown();
		}

	}

}
