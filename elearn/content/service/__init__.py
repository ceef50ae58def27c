"""Operations on content packages: importing one into a course, exporting a course as one."""
