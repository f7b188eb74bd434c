package dev.lockmanager.lock.testing;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension running real {@link RedisServer}s for a test class.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RedisServerExtension redis = RedisServerExtension.servers(3);
 *
 * @Test
 * void test() {
 *     connectTo(redis.server().uri());
 *     redis.server(2).pause();
 * }
 * }</pre>
 *
 * <p>Registered on a static field, the servers start before all tests of the class (including {@code @Nested} ones)
 * and stop after them; on an instance field they start before and stop after each test. Before each test, servers
 * that an earlier test left stopped or paused are brought back on their ports, so fault-injection tests stay
 * independent as long as they do not run concurrently. Data is kept between tests: use unique keys or
 * {@link #flushAll()}.
 */
public final class RedisServerExtension
		implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

	private final int count;

	private final String[] arguments;

	private volatile List<RedisServer> servers = List.of();

	/** Unique id of the extension context that started the servers: only its end stops them. */
	private volatile String owner;

	private RedisServerExtension(int count, String... arguments) {
		this.count = count;
		this.arguments = arguments.clone();
	}

	/**
	 * Creates an extension running {@code count} servers.
	 * @param count how many servers to run
	 * @param arguments extra command-line arguments for every server, see {@link RedisServer#RedisServer(String...)}
	 * @return the extension, to register with {@code @RegisterExtension}
	 */
	public static RedisServerExtension servers(int count, String... arguments) {
		if (count < 1) {
			throw new IllegalArgumentException("count must be at least 1, was " + count);
		}
		return new RedisServerExtension(count, arguments);
	}

	/**
	 * Returns the first server.
	 * @return the first server
	 */
	public RedisServer server() {
		return server(0);
	}

	/**
	 * Returns a server.
	 * @param index from 0
	 * @return the server at {@code index}
	 */
	public RedisServer server(int index) {
		return servers().get(index);
	}

	/**
	 * Returns all servers.
	 * @return the servers, always in the same order
	 */
	public List<RedisServer> servers() {
		List<RedisServer> current = this.servers;
		if (current.isEmpty()) {
			throw new IllegalStateException("Redis servers only run from beforeAll/beforeEach to afterAll/afterEach");
		}
		return current;
	}

	/**
	 * Deletes all keys of every server.
	 */
	public void flushAll() {
		servers().forEach((server) -> server.execute("FLUSHALL"));
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		startFor(context);
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		if (this.owner == null) {
			startFor(context);
		}
		else {
			this.servers.forEach(RedisServer::revive);
		}
	}

	@Override
	public void afterEach(ExtensionContext context) {
		stopFor(context);
	}

	@Override
	public void afterAll(ExtensionContext context) {
		stopFor(context);
	}

	private void startFor(ExtensionContext context) {
		if (this.owner != null) {
			return; // a @Nested class runs within its enclosing class, which started the servers
		}
		List<RedisServer> started = new ArrayList<>();
		try {
			for (int i = 0; i < this.count; i++) {
				RedisServer server = new RedisServer(this.arguments);
				started.add(server);
				server.start();
			}
		}
		catch (RuntimeException ex) {
			try {
				closeAll(started);
			}
			catch (RuntimeException closeFailure) {
				ex.addSuppressed(closeFailure);
			}
			throw ex;
		}
		this.servers = List.copyOf(started);
		this.owner = context.getUniqueId();
	}

	private void stopFor(ExtensionContext context) {
		if (context.getUniqueId().equals(this.owner)) {
			List<RedisServer> stopping = this.servers;
			this.servers = List.of();
			this.owner = null;
			closeAll(stopping);
		}
	}

	/**
	 * Closes every server, even if some fail, then throws the first failure.
	 */
	private static void closeAll(List<RedisServer> servers) {
		RuntimeException failure = null;
		for (RedisServer server : servers) {
			try {
				server.close();
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
		if (failure != null) {
			throw failure;
		}
	}

}
