/* The profile report (report.c); its JSON schema is at the top of report.c. */
#ifndef HKM_REPORT_H
#define HKM_REPORT_H

/* From init: keeps a copy of standard error for the exit report when it is to go there. */
void hkm_report_init(void);

#endif
