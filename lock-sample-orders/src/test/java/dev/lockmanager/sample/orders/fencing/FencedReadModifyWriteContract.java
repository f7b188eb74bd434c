package dev.lockmanager.sample.orders.fencing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.transaction.support.TransactionTemplate;

import dev.lockmanager.sample.orders.Inventory;

/**
 * The interleaving a fencing token exists for, driven step by step on the real schema with two transactions: holder A
 * (token 5) has written the stock but not committed when its lease runs out; holder B (token 6) orders meanwhile;
 * then A commits. Checking the token only on the write loses A's order; claiming the row first (the sample's
 * {@link Inventory}) loses nothing, because B's claim waits for A's transaction and then reads what it committed.
 * Subclasses run it on one database each.
 */
abstract class FencedReadModifyWriteContract {

	private static final int STOCK = 10;

	private static final long TOKEN_A = 5;

	private static final long TOKEN_B = 6;

	/** Long enough for B to reach its blocking statement; the outcome does not depend on it for the claim-first order. */
	private static final long B_BLOCKS_MILLIS = 300;

	/** A database with the sample's schema, each call a fresh one. */
	abstract DataSource dataSource();

	/** What an order does inside its transaction: one of the two orders of the steps, on one item. */
	interface Order {

		/**
		 * @param beforeFirstWrite run just before the order's first statement that locks the row
		 */
		void place(String item, long token, Runnable beforeFirstWrite);

	}

	@Test
	void claimingTheRowBeforeReadingItLosesNoOrderWhenTheOlderHolderCommitsLate() throws Exception {
		DataSource dataSource = dataSource();
		Inventory inventory = new Inventory(JdbcClient.create(dataSource));
		Order claimFirst = (item, token, beforeFirstWrite) -> {
			beforeFirstWrite.run();
			assertThat(inventory.claim(item, token)).as("claimed with token %d", token).isTrue();
			int read = inventory.find(item).orElseThrow().quantity();
			assertThat(inventory.update(item, read - 1, token)).as("written with token %d", token).isTrue();
		};
		interleave(dataSource, claimFirst);
		assertThat(stock(dataSource)).as("stock after two orders of one unit").isEqualTo(STOCK - 2);
		assertThat(inventory.claim("item", TOKEN_A)).as("a claim with an older token").isFalse();
	}

	@Test
	void checkingTheTokenOnlyOnTheWriteLosesTheOlderHoldersOrder() throws Exception {
		DataSource dataSource = dataSource();
		JdbcClient jdbc = JdbcClient.create(dataSource);
		Order writeChecked = (item, token, beforeFirstWrite) -> {
			int read = jdbc.sql("SELECT quantity FROM tb_inventory WHERE item_name = ?").param(item)
				.query(Integer.class).single();
			beforeFirstWrite.run();
			assertThat(jdbc
				.sql("UPDATE tb_inventory SET quantity = ?, fencing_token = ? WHERE item_name = ? AND fencing_token < ?")
				.params(read - 1, token, item, token)
				.update()).as("written with token %d", token).isOne();
		};
		interleave(dataSource, writeChecked);
		// Both writes were accepted, yet the stock fell by one: what the claim-first order prevents
		assertThat(stock(dataSource)).isEqualTo(STOCK - 1);
	}

	/**
	 * A places its order and stops before committing; B starts its order and reaches its first row-locking
	 * statement; A commits (after {@link #B_BLOCKS_MILLIS}); B completes.
	 */
	private static void interleave(DataSource dataSource, Order order) throws Exception {
		JdbcClient.create(dataSource)
			.sql("INSERT INTO tb_inventory (item_name, quantity) VALUES ('item', ?)")
			.param(STOCK)
			.update();
		TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		CountDownLatch aWrote = new CountDownLatch(1);
		CountDownLatch bBlocks = new CountDownLatch(1);
		CompletableFuture<Void> a = CompletableFuture.runAsync(() -> transactions.executeWithoutResult((status) -> {
			order.place("item", TOKEN_A, () -> { });
			aWrote.countDown();
			await(bBlocks);
			sleep(B_BLOCKS_MILLIS);
		}));
		await(aWrote);
		CompletableFuture<Void> b = CompletableFuture.runAsync(() -> transactions
			.executeWithoutResult((status) -> order.place("item", TOKEN_B, bBlocks::countDown)));
		a.get(10, TimeUnit.SECONDS);
		b.get(10, TimeUnit.SECONDS);
	}

	static void createSchema(DataSource dataSource) {
		new ResourceDatabasePopulator(new ClassPathResource("schema.sql")).execute(dataSource);
	}

	private static int stock(DataSource dataSource) {
		return JdbcClient.create(dataSource)
			.sql("SELECT quantity FROM tb_inventory WHERE item_name = 'item'")
			.query(Integer.class)
			.single();
	}

	private static void await(CountDownLatch latch) {
		try {
			assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
