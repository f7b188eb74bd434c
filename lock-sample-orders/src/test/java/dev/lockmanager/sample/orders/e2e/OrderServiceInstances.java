package dev.lockmanager.sample.orders.e2e;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import dev.lockmanager.lock.testing.RedisServer;

/**
 * Running instances of the sample that share one Redis and one database; closing stops them all.
 */
interface OrderServiceInstances extends AutoCloseable {

	/**
	 * @return the base URI of each instance, e.g. {@code http://127.0.0.1:41234}
	 */
	List<URI> uris();

	@Override
	void close();

	/**
	 * The command-line arguments of one instance. They win over {@code application.yml}, the profile files and the
	 * environment ({@code SPRING_DATASOURCE_URL} and the like), so a developer's settings cannot leak in.
	 * @param name a name telling the instances apart in the logs
	 * @param serverPort the HTTP port, 0 for a random one (never the default 9090, where the sample may be running)
	 */
	static List<String> arguments(String name, SharedDatabase database, RedisServer redis, int serverPort,
			String... extra) {
		List<String> arguments = new ArrayList<>(List.of("--server.port=" + serverPort,
				"--spring.application.name=" + name, "--spring.datasource.url=" + database.url(),
				"--spring.datasource.username=sa", "--spring.datasource.password=",
				"--spring.data.redis.host=" + redis.host(), "--spring.data.redis.port=" + redis.port(),
				"--orders.embedded-redis=false", "--spring.jmx.enabled=false", "--spring.main.banner-mode=off"));
		arguments.addAll(List.of(extra));
		return arguments;
	}

}
