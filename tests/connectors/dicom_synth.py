"""Synthetic DICOM studies for the connector tests, written with pydicom.

Each study is a list of small but valid instances (8×8 pixels) carrying the attributes the hub reads:
PatientID / IssuerOfPatientID, StudyDate, InstitutionName, procedure codes, and per series the
attributes the completeness rules look at (SliceThickness, ImageType, SeriesDescription, the number of
instances).  They are uploaded to real Orthanc servers over STOW-RS; nothing here imitates a server.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, ExplicitVRLittleEndian, generate_uid

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
MR_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.4"
DX_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.1.1"  # Digital X-Ray Image Storage – For Presentation

SOP_CLASS = {"CT": CT_IMAGE_STORAGE, "MR": MR_IMAGE_STORAGE, "DX": DX_IMAGE_STORAGE}


@dataclass
class SeriesSpec:
    description: str
    count: int = 2
    slice_thickness: float | None = None
    image_type: tuple[str, ...] = ("ORIGINAL", "PRIMARY", "AXIAL")
    modality: str | None = None  # defaults to the study's


@dataclass
class StudySpec:
    patient_id: str
    modality: str  # CT | MR | DX
    date: dt.date
    institution: str
    description: str
    series: Sequence[SeriesSpec]
    issuer: str | None = None
    patient_name: str = "TEST^PATIENT"
    procedure_code: str | None = None  # put in ProcedureCodeSequence
    requested_code: str | None = None  # put in RequestedProcedureCodeSequence
    code_scheme: str = "BJ-IMG"
    study_uid: str = field(default_factory=generate_uid)


def make_instances(spec: StudySpec) -> list[Dataset]:
    """All instances of ``spec`` as pydicom datasets with file meta, ready to write."""
    out: list[Dataset] = []
    accession = uuid.uuid4().hex[:12].upper()
    for s_index, series in enumerate(spec.series, start=1):
        series_uid = generate_uid()
        modality = series.modality or spec.modality
        for i in range(1, series.count + 1):
            ds = Dataset()
            sop_class = SOP_CLASS[modality]
            sop_uid = generate_uid()
            meta = FileMetaDataset()
            meta.MediaStorageSOPClassUID = sop_class
            meta.MediaStorageSOPInstanceUID = sop_uid
            meta.TransferSyntaxUID = ExplicitVRLittleEndian
            meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
            ds.file_meta = meta
            ds.SpecificCharacterSet = "ISO_IR 192"  # UTF-8: institution names are Chinese
            ds.SOPClassUID = sop_class
            ds.SOPInstanceUID = sop_uid
            ds.PatientID = spec.patient_id
            if spec.issuer:
                ds.IssuerOfPatientID = spec.issuer
            ds.PatientName = spec.patient_name
            ds.PatientBirthDate = "19700101"
            ds.PatientSex = "O"
            ds.StudyInstanceUID = spec.study_uid
            ds.StudyDate = spec.date.strftime("%Y%m%d")
            ds.StudyTime = "101500"
            ds.StudyID = "1"
            ds.AccessionNumber = accession
            ds.StudyDescription = spec.description
            ds.InstitutionName = spec.institution
            if spec.procedure_code:
                ds.ProcedureCodeSequence = [_code(spec.procedure_code, spec.code_scheme, spec.description)]
            if spec.requested_code:
                ds.RequestedProcedureCodeSequence = [
                    _code(spec.requested_code, spec.code_scheme, spec.description)
                ]
            ds.Modality = modality
            ds.SeriesInstanceUID = series_uid
            ds.SeriesNumber = s_index
            ds.SeriesDescription = series.description
            ds.InstanceNumber = i
            ds.ImageType = list(series.image_type)
            if series.slice_thickness is not None:
                ds.SliceThickness = series.slice_thickness
            ds.Rows = 8
            ds.Columns = 8
            ds.SamplesPerPixel = 1
            ds.PhotometricInterpretation = "MONOCHROME2"
            ds.BitsAllocated = 16
            ds.BitsStored = 12
            ds.HighBit = 11
            ds.PixelRepresentation = 0
            ds.PixelData = bytes((k * i) % 256 for k in range(128))  # 8×8 × 16 bit
            out.append(ds)
    return out


def _code(value: str, scheme: str, meaning: str) -> Dataset:
    item = Dataset()
    item.CodeValue = value
    item.CodingSchemeDesignator = scheme
    item.CodeMeaning = meaning[:64]
    return item


def to_bytes(ds: Dataset) -> bytes:
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def stow_body(instances: Sequence[Dataset]) -> tuple[bytes, str]:
    """A STOW-RS request body (multipart/related of application/dicom parts) and its Content-Type."""
    boundary = "hub-" + uuid.uuid4().hex
    parts: list[bytes] = []
    for ds in instances:
        parts.append(
            f"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n".encode() + to_bytes(ds) + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    ctype = f'multipart/related; type="application/dicom"; boundary={boundary}'
    return body, ctype
