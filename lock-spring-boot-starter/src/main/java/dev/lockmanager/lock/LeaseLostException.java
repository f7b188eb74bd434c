package dev.lockmanager.lock;

/**
 * Thrown when the library learns that a lease was lost: it expired before it could be renewed, a renewal was
 * refused, or the release found the key gone or owned by another holder. Work guarded by the lease may have
 * overlapped with another holder's; the fencing token is what protects the resource in that case.
 */
public class LeaseLostException extends LockException {

	private final String name;

	private final String key;

	private final long fencingToken;

	public LeaseLostException(String name, String key, long fencingToken, String message) {
		super(message, null);
		this.name = name;
		this.key = key;
		this.fencingToken = fencingToken;
	}

	/**
	 * @return the lock's namespace
	 */
	public String getName() {
		return this.name;
	}

	/**
	 * @return the key of the lost lease
	 */
	public String getKey() {
		return this.key;
	}

	/**
	 * @return the fencing token of the lost lease
	 */
	public long getFencingToken() {
		return this.fencingToken;
	}

}
