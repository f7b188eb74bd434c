package dev.lockmanager.sample.orders.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;

import dev.lockmanager.lock.testing.RedisServer;
import dev.lockmanager.sample.orders.e2e.OrderServiceClient.Placed;
import dev.lockmanager.sample.orders.e2e.SharedDatabase.OrderRow;

/**
 * Two instances of the sample on one real Redis and one shared database take a few thousand concurrent orders for
 * the same item, more than its stock can serve, from many client threads; the tests then check the answers and the
 * books. The load runs once per class; each test checks one property of its outcome. Subclasses say how the
 * instances run. {@link UnlockedOrderLoadTests} runs the same load without the lock and sees the books stop
 * balancing, which is what these checks would catch.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LockedOrderLoadTests {

	static final int INITIAL_STOCK = 1000;

	/** About 3,900 units in all (see {@link OrderLoad#quantity(int)}): demand far exceeds the stock. */
	static final int ORDERS = 3000;

	static final int CLIENTS = 32;

	static final String ITEM = "e2e-item";

	private RedisServer redis;

	private OrderServiceInstances instances;

	private SharedDatabase database;

	private OrderLoad.Result load;

	private int finalStock;

	private List<OrderRow> rows;

	/**
	 * Starts two instances of the sample on the given Redis and database.
	 */
	abstract OrderServiceInstances start(SharedDatabase database, RedisServer redis, Path directory) throws Exception;

	/**
	 * @param directory the database file and the process logs, deleted after the class
	 */
	@BeforeAll
	void placeConcurrentOrdersForOneItemOnTwoInstances(@TempDir Path directory) throws Exception {
		this.redis = new RedisServer();
		this.redis.start();
		this.database = new SharedDatabase(directory);
		this.instances = start(this.database, this.redis, directory);
		this.database.createItem(ITEM, INITIAL_STOCK);
		this.load = OrderLoad.fire(this.instances.uris(), ITEM, ORDERS, CLIENTS);
		this.finalStock = this.database.stock(ITEM);
		this.rows = this.database.orders(ITEM);
		System.out.println(getClass().getSimpleName() + ": " + this.load.summary() + "; stock " + INITIAL_STOCK
				+ " -> " + this.finalStock + ", " + this.rows.size() + " order rows for "
				+ this.rows.stream().mapToLong(OrderRow::quantity).sum() + " units");
	}

	/**
	 * Stops the instances before Redis, so they release their leases while it still answers.
	 */
	@AfterAll
	void stopInstancesThenRedis() {
		try {
			if (this.instances != null) {
				this.instances.close();
			}
		}
		finally {
			if (this.redis != null) {
				this.redis.close();
			}
		}
	}

	@Test
	void everyOrderIsCreatedRefusedForStockOrToldToRetry() {
		assertThat(this.load.answers()).hasSize(ORDERS)
			.allSatisfy((answer) -> assertThat(answer.status()).as("%s", answer).isIn(201, 409, 503));
	}

	@Test
	void bothInstancesPlaceOrders() {
		Map<Integer, Long> createdByInstance = this.load.withStatus(201)
			.stream()
			.collect(Collectors.groupingBy(Placed::instance, Collectors.counting()));
		assertThat(createdByInstance).containsOnlyKeys(0, 1);
	}

	@Test
	void stockNeverGoesNegative() {
		assertThat(this.finalStock).isNotNegative();
		assertThat(this.load.withStatus(201))
			.allSatisfy((created) -> assertThat(created.remainingStock()).isNotNegative());
	}

	@Test
	void booksBalance() {
		long ordered = this.rows.stream().mapToLong(OrderRow::quantity).sum();
		assertThat(this.finalStock + ordered).as("stock %d + ordered %d", this.finalStock, ordered)
			.isEqualTo(INITIAL_STOCK);
	}

	@Test
	void everyCreatedOrderHasItsRowAndNoOtherRowExists() {
		List<Placed> created = this.load.withStatus(201);
		assertThat(this.rows).hasSameSizeAs(created);
		assertThat(this.rows.stream().mapToLong(OrderRow::quantity).sum()).isEqualTo(this.load.createdQuantity());
		assertThat(this.rows).containsExactlyInAnyOrderElementsOf(created.stream()
			.map((answer) -> new OrderRow(answer.orderId(), answer.requested(), answer.fencingToken()))
			.toList());
	}

	/**
	 * Holding the lease until the commit serializes the orders in the order their leases were granted, which the
	 * strictly increasing fencing tokens record: in that order each created order must have left exactly the stock
	 * before it minus its own quantity. A lost update (two orders reading the same stock) breaks the chain.
	 */
	@Test
	void createdOrdersFormOneSerialHistoryInFencingTokenOrder() {
		List<Placed> history = this.load.withStatus(201)
			.stream()
			.sorted(Comparator.comparingLong(Placed::fencingToken))
			.toList();
		assertThat(history).extracting(Placed::fencingToken).doesNotHaveDuplicates();
		int stock = INITIAL_STOCK;
		for (Placed created : history) {
			stock -= created.requested();
			assertThat(created.remainingStock()).as("remaining stock after %s", created).isEqualTo(stock);
		}
		assertThat(this.finalStock).isEqualTo(stock);
	}

	@Test
	void everyRefusalReportsAStockLevelOfThatHistoryTooSmallForTheOrder() {
		Set<Integer> levels = new HashSet<>(Set.of(INITIAL_STOCK));
		this.load.withStatus(201).forEach((created) -> levels.add(created.remainingStock()));
		assertThat(this.load.withStatus(409)).allSatisfy((refused) -> {
			assertThat(refused.code()).isEqualTo("INSUFFICIENT_STOCK");
			assertThat(refused.body().path("requested").asInt()).isEqualTo(refused.requested());
			assertThat(refused.available()).isLessThan(refused.requested()).isIn(levels);
		});
	}

	/**
	 * Single-unit orders are refused only when nothing is left, and under the lock stock never rises again, so the
	 * item ends sold out. (Without the lock a late lost update can write back a higher stock.)
	 */
	@Test
	void stockRunsOutAndStaysOutBecauseDemandExceedsIt() {
		List<Placed> singleUnitRefusals = this.load.withStatus(409)
			.stream()
			.filter((refused) -> refused.requested() == 1)
			.toList();
		assertThat(singleUnitRefusals).isNotEmpty().allSatisfy((refused) -> assertThat(refused.available()).isZero());
		assertThat(this.finalStock).isZero();
	}

	@Test
	void retryAnswersNameTheirCauseAndAskToRetryAfterOneSecond() {
		assertThat(this.load.withStatus(503)).allSatisfy((retry) -> {
			assertThat(retry.code()).isIn("LOCK_TIMEOUT", "LOCK_BACKEND_UNAVAILABLE", "STALE_LEASE");
			assertThat(retry.retryAfter()).isEqualTo("1");
		});
	}

	@Test
	void everyInstanceReportsTheSameBooksAsTheDatabase() throws Exception {
		OrderServiceClient client = new OrderServiceClient();
		for (URI instance : this.instances.uris()) {
			JsonNode stock = client.get(instance.resolve("/inventory/" + ITEM));
			JsonNode totals = client.get(instance.resolve("/orders?item=" + ITEM + "&size=1")).path("totals");
			assertThat(stock.path("quantity").asInt()).isEqualTo(this.finalStock);
			assertThat(totals.path("orders").asLong()).isEqualTo(this.rows.size());
			assertThat(totals.path("quantity").asLong())
				.isEqualTo(this.rows.stream().mapToLong(OrderRow::quantity).sum());
		}
	}

}
