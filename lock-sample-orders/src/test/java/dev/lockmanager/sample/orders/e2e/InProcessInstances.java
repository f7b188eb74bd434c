package dev.lockmanager.sample.orders.e2e;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.lockmanager.lock.testing.RedisServer;
import dev.lockmanager.sample.orders.OrderServiceApplication;

/**
 * Instances of the sample as separate Spring application contexts in this JVM: each has its own web server on a
 * random port, its own Redis connection factory, lock manager and release subscription, and its own connection pool
 * to the shared database, so they coordinate only through Redis and the database, as separate processes would.
 */
final class InProcessInstances implements OrderServiceInstances {

	private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

	private InProcessInstances() {
	}

	/**
	 * Starts the instances one after the other: each runs the idempotent {@code schema.sql} at startup, and two
	 * concurrent runs could both try to insert the seed rows.
	 */
	static InProcessInstances start(int count, SharedDatabase database, RedisServer redis, String... extra) {
		InProcessInstances instances = new InProcessInstances();
		try {
			for (int i = 0; i < count; i++) {
				List<String> arguments = OrderServiceInstances.arguments("orders-" + (i + 1), database, redis, 0,
						extra);
				instances.contexts.add(new SpringApplicationBuilder(OrderServiceApplication.class)
					.run(arguments.toArray(String[]::new)));
			}
		}
		catch (RuntimeException ex) {
			instances.close();
			throw ex;
		}
		return instances;
	}

	@Override
	public List<URI> uris() {
		return this.contexts.stream()
			.map((context) -> context.getEnvironment().getProperty("local.server.port"))
			.map((port) -> URI.create("http://127.0.0.1:" + port))
			.toList();
	}

	@Override
	public void close() {
		RuntimeException failure = null;
		for (ConfigurableApplicationContext context : this.contexts) {
			try {
				context.close();
			}
			catch (RuntimeException ex) {
				if (failure == null) {
					failure = ex;
				}
				else {
					failure.addSuppressed(ex);
				}
			}
		}
		this.contexts.clear();
		if (failure != null) {
			throw failure;
		}
	}

}
