#include "qrexec/msg_parse.h"

const char *qrexec_strerror(int code)
{
	switch (code) {
	case QREXEC_OK:
		return "ok";
	case QREXEC_ELENGTH:
		return "wrong length for the message type";
	case QREXEC_ETYPE:
		return "unknown message type";
	case QREXEC_ECHANNEL:
		return "message type not carried by this channel";
	case QREXEC_EPEER:
		return "message type not sent by this peer";
	case QREXEC_EVERSION:
		return "message type not valid at this protocol version or handshake state";
	case QREXEC_ENUL:
		return "string without its NUL, or with a NUL too early";
	case QREXEC_EPADDING:
		return "non-NUL byte after a string's NUL";
	case QREXEC_ESERVICE:
		return "bad service name";
	case QREXEC_ETARGET:
		return "bad target";
	case QREXEC_EREQID:
		return "bad request id";
	case QREXEC_EUSER:
		return "bad user in cmdline";
	case QREXEC_ECOMMAND:
		return "bad command in cmdline";
	case QREXEC_ESOURCE:
		return "bad source domain";
	case QREXEC_EDOMAIN:
		return "domain id out of range";
	case QREXEC_EPORT:
		return "port out of range";
	case QREXEC_EVALUE:
		return "exit code out of range";
	case QREXEC_ENOSPACE:
		return "buffer too small";
	case QREXEC_EINVAL:
		return "invalid argument";
	}
	return "unknown error";
}
