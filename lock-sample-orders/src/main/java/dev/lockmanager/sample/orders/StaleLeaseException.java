package dev.lockmanager.sample.orders;

/**
 * The database refused the stock update: a lease with a newer fencing token wrote the row already, so this
 * request's lease had expired. The transaction rolls back; the client may retry.
 */
public class StaleLeaseException extends RuntimeException {

	public StaleLeaseException(String itemName, long fencingToken) {
		super("The stock of '" + itemName + "' was written under a newer lease than this one (fencing token "
				+ fencingToken + "); nothing was changed");
	}

}
