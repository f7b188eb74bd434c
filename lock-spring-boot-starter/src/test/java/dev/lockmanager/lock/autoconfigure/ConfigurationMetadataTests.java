package dev.lockmanager.lock.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import org.springframework.core.io.ClassPathResource;

/**
 * The configuration metadata that spring-boot-configuration-processor generates from {@link DistributedLockProperties}
 * and {@link dev.lockmanager.lock.web.LockApiProperties} documents every property, with its default, for IDE
 * completion.
 */
class ConfigurationMetadataTests {

	private static final Map<String, Object> DEFAULTS = defaults();

	@Test
	void describesEveryProperty() throws IOException {
		assertThat(properties()).allSatisfy((property) -> assertThat((String) property.get("description"))
			.as("description of %s", property.get("name"))
			.isNotBlank());
	}

	@Test
	void listsEveryPropertyWithItsDefault() throws IOException {
		Map<String, Object> defaults = new LinkedHashMap<>();
		properties().forEach((property) -> defaults.put((String) property.get("name"), property.get("defaultValue")));
		assertThat(defaults).containsOnlyKeys(DEFAULTS.keySet());
		DEFAULTS.forEach((name, value) -> assertThat(defaults).contains(entry(name, value)));
	}

	@Test
	void documentsTheManagementPropertiesOfTheObservabilityFeatures() throws IOException {
		Map<String, Object> defaults = new LinkedHashMap<>();
		properties("management\\..*").forEach((property) -> {
			assertThat((String) property.get("description")).as("description of %s", property.get("name")).isNotBlank();
			defaults.put((String) property.get("name"), property.get("defaultValue"));
		});
		assertThat(defaults).contains(entry("management.health.distributed-lock.enabled", true),
				entry("management.endpoint.locks.access", "read_only"));
	}

	private static List<Map<String, Object>> properties() throws IOException {
		return properties("distributed-lock\\..*");
	}

	private static List<Map<String, Object>> properties(String namePattern) throws IOException {
		try (InputStream json = new ClassPathResource("META-INF/spring-configuration-metadata.json").getInputStream()) {
			List<Map<String, Object>> properties = JsonPath.parse(json)
				.read("$.properties[?(@.name =~ /" + namePattern + "/)]");
			assertThat(properties).isNotEmpty();
			return properties;
		}
	}

	private static Map<String, Object> defaults() {
		// As the metadata spells them: Durations as text, numbers and booleans as JSON values.
		Map<String, Object> defaults = new LinkedHashMap<>();
		defaults.put("distributed-lock.enabled", true);
		defaults.put("distributed-lock.key-prefix", "lock:");
		defaults.put("distributed-lock.default-ttl", "30s");
		defaults.put("distributed-lock.default-wait-time", "5s");
		defaults.put("distributed-lock.max-ttl", "1h");
		defaults.put("distributed-lock.max-wait-time", "5m");
		defaults.put("distributed-lock.max-waiters", 1000);
		defaults.put("distributed-lock.fencing-retention", "7d");
		defaults.put("distributed-lock.backoff.initial-interval", "100ms");
		defaults.put("distributed-lock.backoff.multiplier", 2);
		defaults.put("distributed-lock.backoff.max-interval", "2s");
		defaults.put("distributed-lock.backoff.jitter", "50ms");
		defaults.put("distributed-lock.handoff.max-consecutive", 16);
		defaults.put("distributed-lock.handoff.time-slice", "50ms");
		defaults.put("distributed-lock.renewal.enabled", true);
		defaults.put("distributed-lock.renewal.ratio", 0.33);
		defaults.put("distributed-lock.order", Integer.MAX_VALUE - 1000);
		defaults.put("distributed-lock.quorum.nodes", null);
		defaults.put("distributed-lock.quorum.node-timeout", "100ms");
		defaults.put("distributed-lock.replica-acknowledgement.replicas", 0);
		defaults.put("distributed-lock.replica-acknowledgement.timeout", "100ms");
		defaults.put("distributed-lock.metrics.max-names", 100);
		defaults.put("distributed-lock.metrics.names", null);
		defaults.put("distributed-lock.events.enabled", true);
		defaults.put("distributed-lock.health.timeout", "500ms");
		defaults.put("distributed-lock.http.enabled", false);
		defaults.put("distributed-lock.http.base-path", "/locks");
		defaults.put("distributed-lock.http.api-key", null);
		return defaults;
	}

}
