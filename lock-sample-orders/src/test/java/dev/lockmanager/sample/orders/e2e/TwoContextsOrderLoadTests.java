package dev.lockmanager.sample.orders.e2e;

import java.nio.file.Path;

import dev.lockmanager.lock.testing.RedisServer;

/**
 * The order load on two instances of the sample run as separate application contexts in this JVM, each with its own
 * web server, Redis connection factory and connection pool.
 */
class TwoContextsOrderLoadTests extends LockedOrderLoadTests {

	@Override
	OrderServiceInstances start(SharedDatabase database, RedisServer redis, Path directory) {
		return InProcessInstances.start(2, database, redis);
	}

}
