package dev.lockmanager.sample.orders.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import dev.lockmanager.lock.testing.RedisServerExtension;
import dev.lockmanager.sample.orders.e2e.SharedDatabase.OrderRow;

/**
 * The load of {@link LockedOrderLoadTests} on two instances started with the {@code unlocked} profile: without the
 * lock, concurrent orders read the same stock and overwrite each other's update, so the books stop balancing. This
 * proves that the load can make the locked tests fail. H2 does not hide the race: at READ COMMITTED a blocked UPDATE
 * waits for the row and then writes the value computed from its stale read, so the first round already loses
 * thousands of units (and oversells thousands); the retry rounds are a margin, not a need.
 */
class UnlockedOrderLoadTests {

	/** The race is a matter of timing: a round that happens not to show it is retried on a fresh item. */
	private static final int MAX_ROUNDS = 5;

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.servers(1);

	@TempDir
	static Path directory;

	private static SharedDatabase database;

	private static InProcessInstances instances;

	@BeforeAll
	static void startTwoUnlockedInstances() {
		database = new SharedDatabase(directory);
		instances = InProcessInstances.start(2, database, redis.server(), "--spring.profiles.active=unlocked");
	}

	@AfterAll
	static void stopInstances() {
		if (instances != null) {
			instances.close();
		}
	}

	@Test
	void withoutTheLockConcurrentOrdersLoseUpdates() throws Exception {
		List<Round> rounds = new ArrayList<>();
		while (rounds.size() < MAX_ROUNDS && rounds.stream().noneMatch(Round::lostUpdates)) {
			String item = "e2e-unlocked-" + (rounds.size() + 1);
			database.createItem(item, LockedOrderLoadTests.INITIAL_STOCK);
			OrderLoad.Result load = OrderLoad.fire(instances.uris(), item, LockedOrderLoadTests.ORDERS,
					LockedOrderLoadTests.CLIENTS);
			Round round = new Round(load, database.stock(item),
					database.orders(item).stream().mapToLong(OrderRow::quantity).sum());
			rounds.add(round);
			System.out.println("UnlockedOrderLoadTests round " + rounds.size() + ": " + round);
		}
		assertThat(rounds).as("rounds").anyMatch(Round::lostUpdates);
	}

	/**
	 * One run of the load on a fresh item.
	 *
	 * @param load the answers
	 * @param finalStock the item's stock afterwards
	 * @param ordered the units in its order rows
	 */
	record Round(OrderLoad.Result load, int finalStock, long ordered) {

		/**
		 * @return whether more units were ordered than left the stock: updates were lost
		 */
		boolean lostUpdates() {
			return finalStock() + ordered() > LockedOrderLoadTests.INITIAL_STOCK;
		}

		@Override
		public String toString() {
			long lost = finalStock() + ordered() - LockedOrderLoadTests.INITIAL_STOCK;
			long oversold = ordered() - LockedOrderLoadTests.INITIAL_STOCK;
			long repeatedRemaining = load().withStatus(201).size() - load().withStatus(201)
				.stream()
				.mapToInt(OrderServiceClient.Placed::remainingStock)
				.distinct()
				.count();
			return load().summary() + "; stock " + LockedOrderLoadTests.INITIAL_STOCK + " -> " + finalStock()
					+ ", ordered " + ordered() + ": " + lost + " units lost in overwritten updates, "
					+ Math.max(0, oversold) + " oversold, " + repeatedRemaining
					+ " created orders reported a remaining stock another one had reported";
		}

	}

}
