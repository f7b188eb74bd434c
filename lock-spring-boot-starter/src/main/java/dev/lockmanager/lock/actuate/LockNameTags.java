package dev.lockmanager.lock.actuate;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Bounds the lock names recorded as values of one tag of the {@code lock.} meters: the configured names always keep
 * their own value, and so do the first {@code max-names} other names; every further name is recorded as
 * {@value #OTHER}, with one WARN. Names chosen by clients of the HTTP lock API thus neither grow the meters without
 * bound nor crowd out the configured names, and no acquisition goes unrecorded.
 */
final class LockNameTags implements MeterFilter {

	/** The tag value of the names beyond the bound. */
	static final String OTHER = "other";

	private static final Log logger = LogFactory.getLog(LockNameTags.class);

	private final String tag;

	private final Set<String> configured;

	private final int maxOthers;

	private final Set<String> others = ConcurrentHashMap.newKeySet();

	private final AtomicBoolean warned = new AtomicBoolean();

	/**
	 * @param tag the tag holding the lock name
	 * @param configured the names that always keep their own value
	 * @param maxOthers how many other names keep theirs
	 */
	LockNameTags(String tag, Collection<String> configured, int maxOthers) {
		this.tag = tag;
		this.configured = Set.copyOf(configured);
		this.maxOthers = maxOthers;
	}

	@Override
	public Meter.Id map(Meter.Id id) {
		String name = id.getName().startsWith("lock.") ? id.getTag(this.tag) : null;
		if (name == null || this.configured.contains(name) || this.others.contains(name) || admitted(name)) {
			return id;
		}
		if (this.warned.compareAndSet(false, true)) {
			logger.warn("More than " + this.maxOthers + " lock names to record as '" + this.tag + "' of the lock "
					+ "meters: further names are recorded as '" + OTHER + "'. List the names to keep in "
					+ "distributed-lock.metrics.names, or raise distributed-lock.metrics.max-names");
		}
		return id.withTag(Tag.of(this.tag, OTHER));
	}

	/** Under the lock, so that concurrent registrations cannot admit more than the bound (no I/O here). */
	private synchronized boolean admitted(String name) {
		if (this.others.size() >= this.maxOthers) {
			return false;
		}
		this.others.add(name);
		return true;
	}

}
